using System.Security.Cryptography;
using System.Text;
using Experiments.Core.Spec;
using Experiments.Training.Data;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// The file side of the inbox, apart from the actors. Takes only *.hocon and *.conf files that
/// are regular files (checked without opening them) and have settled: same size and mtime for
/// <see cref="SettleTime"/>. Hidden files (.name) and *.tmp/*.part never match, so a writer
/// may write under such a name and rename when done. Whatever cannot be taken is moved to
/// rejected/ with NAME.errors.txt beside it, under a shortened name if needed: nothing is
/// deleted and nothing overwritten.
/// </summary>
public sealed class InboxFolder(string folder, TimeProvider clock)
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    public const string ErrorsSuffix = ".errors.txt";
    private const int MaxNameBytes = 255; // NAME_MAX on Linux, macOS and Windows file systems

    private readonly Dictionary<string, (long Length, DateTime Written, DateTimeOffset Since)> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal);

    public string Path { get; } = folder;

    public static bool IsSpecName(string name) =>
        !name.StartsWith('.') && (name.EndsWith(".hocon", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".conf", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The spec files ready to be read, in name order. Moves aside, on the way, what is not a
    /// regular file or is too large. Throws IOException when the folder itself cannot be used.
    /// </summary>
    public IReadOnlyList<string> Scan()
    {
        Directory.CreateDirectory(Path);
        var now = clock.GetUtcNow();
        var present = new HashSet<string>(StringComparer.Ordinal);
        var ready = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path).Where(f => IsSpecName(System.IO.Path.GetFileName(f))).Order(StringComparer.Ordinal))
        {
            present.Add(file);
            if (_stuck.Contains(file)) continue;
            var kind = FileKinds.Of(file);
            if (kind == FileKind.Missing) continue;
            if (kind != FileKind.Regular)
            {
                TryReject(file, [$"{System.IO.Path.GetFileName(file)} is {FileKinds.Describe(kind)}, not a regular file: the inbox reads only regular files"]);
                continue;
            }
            var info = new FileInfo(file);
            if (!HasSettled(file, info.Length, info.LastWriteTimeUtc, now)) continue;
            if (info.Length > SpecLoader.MaxBytes)
                TryReject(file, [$"the file is {info.Length:N0} bytes; a spec file may have at most {SpecLoader.MaxBytes:N0}"]);
            else
                ready.Add(file);
        }
        foreach (var gone in _seen.Keys.Where(k => !present.Contains(k)).ToList()) _seen.Remove(gone);
        _stuck.IntersectWith(present);
        return ready;
    }

    private bool HasSettled(string file, long length, DateTime written, DateTimeOffset now)
    {
        if (_seen.TryGetValue(file, out var last) && last.Length == length && last.Written == written)
            return now - last.Since >= SettleTime;
        _seen[file] = (length, written, now);
        return false;
    }

    /// <summary>At most MaxBytes + 1 bytes, on a worker thread, given up on after <see cref="ReadTimeout"/>.</summary>
    public static async Task<byte[]> ReadAsync(string file)
    {
        var read = Task.Run(() =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[SpecLoader.MaxBytes + 1];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            return buffer[..total];
        });
        try
        {
            return await read.WaitAsync(ReadTimeout);
        }
        catch (TimeoutException)
        {
            throw new IOException($"reading the file did not finish within {ReadTimeout.TotalSeconds:N0} s");
        }
    }

    /// <summary>Moves a submitted file to accepted/; if that fails it stays, skipped, and the log says so once.</summary>
    public void TryAccept(string file)
    {
        try
        {
            MoveTo(file, "accepted");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stuck.Add(file);
            Log.Error("Submitted {File} but could not move it to accepted/ ({Reason}); it stays in the inbox and is skipped",
                System.IO.Path.GetFileName(file), e.Message);
        }
    }

    /// <summary>Moves the file to rejected/ and writes why beside it; if even that fails, says so in the log once.</summary>
    public void TryReject(string file, IReadOnlyList<string> reasons)
    {
        try
        {
            var name = System.IO.Path.GetFileName(file);
            var moved = MoveTo(file, "rejected");
            var lines = System.IO.Path.GetFileName(moved).EndsWith(name, StringComparison.Ordinal)
                ? reasons
                : [.. reasons, $"(the file was named {name})"];
            File.WriteAllLines(moved + ErrorsSuffix, lines);
            _seen.Remove(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stuck.Add(file);
            Log.Error("Could not move {File} out of the inbox ({Reason}); it stays there and is skipped: {Errors}",
                System.IO.Path.GetFileName(file), e.Message, string.Join("; ", reasons));
        }
    }

    private string MoveTo(string file, string subfolder)
    {
        var target = Directory.CreateDirectory(System.IO.Path.Combine(Path, subfolder)).FullName;
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss");
        var name = System.IO.Path.GetFileName(file);
        for (var attempt = 0; ; attempt++)
        {
            var destination = System.IO.Path.Combine(target, TargetName(stamp, attempt, name));
            if (File.Exists(destination) || File.Exists(destination + ErrorsSuffix)) continue;
            File.Move(file, destination, overwrite: false);
            _seen.Remove(file);
            return destination;
        }
    }

    /// <summary>
    /// STAMP-NAME (STAMP-N-NAME if taken), short enough that NAME.errors.txt fits the file
    /// system's 255 bytes: a longer name keeps its start and extension around a hash of the whole.
    /// </summary>
    public static string TargetName(string stamp, int attempt, string name)
    {
        var prefix = attempt == 0 ? $"{stamp}-" : $"{stamp}-{attempt}-";
        var budget = MaxNameBytes - Encoding.UTF8.GetByteCount(ErrorsSuffix) - Encoding.UTF8.GetByteCount(prefix);
        if (Encoding.UTF8.GetByteCount(name) <= budget) return prefix + name;
        var extension = System.IO.Path.GetExtension(name);
        if (extension.Length > 16) extension = "";
        var hash = "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
        var room = budget - Encoding.UTF8.GetByteCount(hash + extension);
        var start = new StringBuilder();
        foreach (var rune in System.IO.Path.GetFileNameWithoutExtension(name).EnumerateRunes())
        {
            if (room < rune.Utf8SequenceLength) break;
            room -= rune.Utf8SequenceLength;
            start.Append(rune.ToString());
        }
        return prefix + start + hash + extension;
    }
}
