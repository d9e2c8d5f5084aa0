using System.Buffers.Binary;
using System.Text;

namespace Experiments.Training.Tests.TensorBoard;

/// <summary>
/// An independent reader of TensorBoard event files for the tests: TFRecord framing with both
/// masked CRC-32C checks (a table-driven CRC, not the writer's), and a hand-written protobuf
/// decoder that knows only the field numbers of event.proto, summary.proto and the hparams
/// plugin_data.proto. It shares no code with the writer.
/// </summary>
public static class EventFileReader
{
    public sealed record Field(int Number, int WireType, ulong Varint, byte[] Bytes)
    {
        public double AsDouble => BitConverter.Int64BitsToDouble((long)Varint);
        public float AsFloat => BitConverter.Int32BitsToSingle((int)Varint);
        public string AsText => Encoding.UTF8.GetString(Bytes);
        public IReadOnlyList<Field> AsMessage => Decode(Bytes);
    }

    public static IReadOnlyList<byte[]> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (var at = 0; at < bytes.Length;)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: truncated record header at {at}");
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)) != Masked(bytes.AsSpan(at, 8)))
                throw new InvalidDataException($"{path}: length CRC mismatch at {at}");
            var data = bytes.AsSpan(at + 12, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)) != Masked(data))
                throw new InvalidDataException($"{path}: data CRC mismatch at {at}");
            records.Add(data.ToArray());
            at += 12 + length + 4;
        }
        return records;
    }

    public static IReadOnlyList<Field> Decode(byte[] message)
    {
        var fields = new List<Field>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add(new Field(number, wire, Varint(message, ref at), [])); break;
                case 1: fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)), [])); at += 8; break;
                case 5: fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)), [])); at += 4; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add(new Field(number, wire, 0, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return fields;
    }

    public static Field One(this IReadOnlyList<Field> fields, int number) => fields.Single(f => f.Number == number);
    public static Field? Maybe(this IReadOnlyList<Field> fields, int number) => fields.SingleOrDefault(f => f.Number == number);
    public static IEnumerable<Field> All(this IReadOnlyList<Field> fields, int number) => fields.Where(f => f.Number == number);

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
