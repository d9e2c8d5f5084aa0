using System.Buffers.Binary;

namespace Experiments.Training.TensorBoard;

/// <summary>
/// One TensorBoard event file of one trial-fold: scalars per epoch, images, and the config as
/// hparams (the HParams tab). Our own writer rather than TorchSharp's SummaryWriter, which stamps
/// its first event in .NET ticks, rounds scalar wall times to whole seconds, reopens the file for
/// every event and has no hparams. The file stays open; every event is flushed to the OS at once,
/// so a kill loses nothing written and TensorBoard sees it live.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    private const string HParamsPlugin = "hparams";
    private readonly FileStream _stream;
    private readonly TimeProvider _clock;

    public string FilePath { get; }

    private EventFileWriter(string path, TimeProvider clock, DateTimeOffset created)
    {
        FilePath = path;
        _clock = clock;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Append(EventProtos.FileVersionEvent(UnixSeconds(created)));
    }

    /// <summary>
    /// A new file in <paramref name="directory"/>, named as TensorBoard expects
    /// (events.out.tfevents.SECONDS.HOST.PID.N): a resumed trial adds a file, never rewrites one.
    /// </summary>
    public static EventFileWriter Create(string directory, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        Directory.CreateDirectory(directory);
        var created = clock.GetUtcNow();
        var stem = $"events.out.tfevents.{created.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}";
        for (var n = 0; ; n++)
        {
            var path = Path.Combine(directory, $"{stem}.{n}");
            if (File.Exists(path)) continue;
            try { return new EventFileWriter(path, clock, created); }
            catch (IOException) when (File.Exists(path)) { } // taken meanwhile: next number
        }
    }

    /// <summary>Every metric of one epoch, one tag each, in one event.</summary>
    public void Scalars(long step, IReadOnlyDictionary<string, double> values) =>
        Append(EventProtos.SummaryEvent(Now(), step,
            values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => EventProtos.ScalarValue(kv.Key, kv.Value))));

    /// <summary>A PNG file as an image summary (TensorBoard's Images tab), at its own size.</summary>
    public void Image(long step, string tag, string pngPath)
    {
        var png = File.ReadAllBytes(pngPath);
        var (width, height, colorspace) = PngHeader(png, pngPath);
        Append(EventProtos.SummaryEvent(Now(), step, [EventProtos.ImageValue(tag, png, width, height, colorspace)]));
    }

    /// <summary>The run's hyperparameters (numbers, strings, booleans), so the HParams tab lists it.</summary>
    public void HParams(IReadOnlyDictionary<string, object> hparams, string group) =>
        Append(EventProtos.SummaryEvent(Now(), 0,
            [EventProtos.PluginValue("_hparams_/session_start_info", HParamsPlugin, EventProtos.SessionStartInfo(hparams, group, Now()))]));

    /// <summary>How the run ended, for the HParams tab's status column.</summary>
    public void SessionEnd(SessionStatus status) =>
        Append(EventProtos.SummaryEvent(Now(), 0,
            [EventProtos.PluginValue("_hparams_/session_end_info", HParamsPlugin, EventProtos.SessionEndInfo(status, Now()))]));

    /// <summary>A resumed run restarts at <paramref name="step"/>: TensorBoard discards what a killed run wrote after it.</summary>
    public void Restarted(long step) => Append(EventProtos.SessionStartEvent(Now(), step));

    private void Append(byte[] record)
    {
        TfRecord.Write(_stream, record);
        _stream.Flush();
    }

    /// <summary>Unix seconds with their fraction, as TensorFlow writes wall_time.</summary>
    private double Now() => UnixSeconds(_clock.GetUtcNow());

    private static double UnixSeconds(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Width, height and TensorBoard colorspace from a PNG's IHDR chunk.</summary>
    private static (int Width, int Height, int Colorspace) PngHeader(byte[] png, string path)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 26 || !png.AsSpan(0, 8).SequenceEqual(signature))
            throw new InvalidDataException($"{path}: not a PNG file");
        var colorspace = png[25] switch { 0 => 1, 4 => 2, 2 or 3 => 3, 6 => 4, _ => 0 };
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), colorspace);
    }

    public void Dispose() => _stream.Dispose();
}
