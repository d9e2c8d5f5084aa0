using System.Text.RegularExpressions;

namespace Experiments.Training;

/// <summary>
/// Files written whole or not at all: to a temporary name of the write's own, flushed to disk,
/// then renamed over the target. A crash leaves the previous file; two writers of one path (two
/// processes sharing a cache) never interleave in one file.
/// </summary>
public static partial class AtomicFile
{
    public static string TemporaryName(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    public static void Write(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Streams the content into a temporary file, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryName(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // A failed write (disk full, …) leaves nothing behind; only a kill can leave a temporary.
            DeleteQuietly(temporary);
            throw;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's own error is the one to report.
        }
    }

    /// <summary>
    /// Deletes the temporaries of <paramref name="path"/> that killed writes left (never renamed).
    /// Only for the path's sole writer, before it writes: it would break a write under way.
    /// </summary>
    public static void RemoveTemporaries(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) return;
        var name = Path.GetFileName(path);
        foreach (var file in Directory.EnumerateFiles(folder, name + ".*.tmp"))
            if (TemporarySuffix().IsMatch(Path.GetFileName(file)[name.Length..])) File.Delete(file);
    }

    [GeneratedRegex(@"^\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporarySuffix();
}
