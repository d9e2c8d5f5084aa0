using Google.Protobuf;

namespace Experiments.Training.TensorBoard;

/// <summary>
/// The few TensorBoard protocol messages a trial writes (tensorflow/core/util/event.proto,
/// framework/summary.proto, tensorboard/plugins/hparams/plugin_data.proto), encoded field by field
/// with Google.Protobuf's CodedOutputStream. Field numbers are those of the .proto files.
/// </summary>
internal static class EventProtos
{
    public const string FileVersion = "brain.Event:2";

    public static byte[] FileVersionEvent(double wallTime) => Message(o =>
    {
        Double(o, 1, wallTime);
        Text(o, 3, FileVersion);
    });

    /// <summary>Event{wall_time, step, summary{value*}}.</summary>
    public static byte[] SummaryEvent(double wallTime, long step, IEnumerable<byte[]> values) => Message(o =>
    {
        Double(o, 1, wallTime);
        Int64(o, 2, step);
        Nested(o, 5, Message(summary => { foreach (var value in values) Nested(summary, 1, value); }));
    });

    /// <summary>Event{session_log{status = START}}: TensorBoard drops what an earlier run wrote at later steps.</summary>
    public static byte[] SessionStartEvent(double wallTime, long step) => Message(o =>
    {
        Double(o, 1, wallTime);
        Int64(o, 2, step);
        Nested(o, 6, Message(log => Int32(log, 1, 1)));
    });

    /// <summary>Summary.Value{tag, simple_value} (TensorBoard's scalars are float32).</summary>
    public static byte[] ScalarValue(string tag, double value) => Message(o =>
    {
        Text(o, 1, tag);
        o.WriteTag(2, WireFormat.WireType.Fixed32);
        o.WriteFloat((float)value);
    });

    /// <summary>Summary.Value{tag, image{height, width, colorspace, encoded_image_string}}.</summary>
    public static byte[] ImageValue(string tag, byte[] png, int width, int height, int colorspace) => Message(o =>
    {
        Text(o, 1, tag);
        Nested(o, 4, Message(image =>
        {
            Int32(image, 1, height);
            Int32(image, 2, width);
            Int32(image, 3, colorspace);
            Bytes(image, 4, png);
        }));
    });

    /// <summary>Summary.Value{tag, metadata{plugin_data{plugin_name, content}}} with no value, as PyTorch writes hparams.</summary>
    public static byte[] PluginValue(string tag, string plugin, byte[] content) => Message(o =>
    {
        Text(o, 1, tag);
        Nested(o, 9, Message(metadata => Nested(metadata, 1, Message(data =>
        {
            Text(data, 1, plugin);
            Bytes(data, 2, content);
        }))));
    });

    /// <summary>HParamsPluginData{version = 0, session_start_info{hparams map, group_name, start_time_secs}}.</summary>
    public static byte[] SessionStartInfo(IReadOnlyDictionary<string, object> hparams, string group, double startTime) => Message(o =>
    {
        Nested(o, 3, Message(info =>
        {
            foreach (var (name, value) in hparams.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                Nested(info, 1, Message(entry =>
                {
                    Text(entry, 1, name);
                    Nested(entry, 2, ProtobufValue(value));
                }));
            Text(info, 4, group);
            Double(info, 5, startTime);
        }));
    });

    /// <summary>HParamsPluginData{session_end_info{status, end_time_secs}}.</summary>
    public static byte[] SessionEndInfo(SessionStatus status, double endTime) => Message(o =>
        Nested(o, 4, Message(info =>
        {
            Int32(info, 1, (int)status);
            Double(info, 2, endTime);
        })));

    /// <summary>google.protobuf.Value: number_value (2), string_value (3) or bool_value (4).</summary>
    private static byte[] ProtobufValue(object value) => Message(o =>
    {
        switch (value)
        {
            case bool b: o.WriteTag(4, WireFormat.WireType.Varint); o.WriteBool(b); break;
            case string s: Text(o, 3, s); break;
            default: Double(o, 2, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true)) write(output);
        return buffer.ToArray();
    }

    private static void Nested(CodedOutputStream o, int field, byte[] message) => Bytes(o, field, message);

    private static void Bytes(CodedOutputStream o, int field, byte[] bytes)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static void Text(CodedOutputStream o, int field, string text)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(text);
    }

    private static void Double(CodedOutputStream o, int field, double value)
    {
        o.WriteTag(field, WireFormat.WireType.Fixed64);
        o.WriteDouble(value);
    }

    private static void Int64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void Int32(CodedOutputStream o, int field, int value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt32(value);
    }
}

/// <summary>tensorboard.hparams.Status.</summary>
public enum SessionStatus
{
    Unknown = 0,
    Success = 1,
    Failure = 2,
    Running = 3,
}
