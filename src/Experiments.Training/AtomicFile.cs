namespace Experiments.Training;

/// <summary>
/// Files written whole or not at all: to a temporary name of the write's own, flushed to disk,
/// then renamed over the target. A crash leaves the previous file; two writers of one path (two
/// processes sharing a cache) never interleave in one file.
/// </summary>
public static class AtomicFile
{
    public static string TemporaryName(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryName(path);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));
}
