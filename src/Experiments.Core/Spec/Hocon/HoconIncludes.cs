using System.Text;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// Reads the files a spec includes. A file is found relative to the file that includes it and must
/// lie in the spec's folder or below it (a spec names its own parts, not the machine's files).
/// Limits: <see cref="MaxDepth"/> nested includes, no cycles, and at most
/// <see cref="SpecLoader.MaxBytes"/> bytes read for all included files together.
/// </summary>
internal sealed class HoconIncludes
{
    public const int MaxDepth = 8;

    private readonly string _rootDirectory;
    private readonly Stack<string> _chain = new();
    private readonly Dictionary<string, string> _directories = new(StringComparer.Ordinal);
    private long _bytesRead;

    /// <param name="rootDirectory">The spec's folder: included files must be in it or below.</param>
    /// <param name="topSource">The top file's name as errors show it.</param>
    /// <param name="topFullPath">The top file's full path (for cycles), or null for text that has no file.</param>
    /// <param name="notRegular">What a path is when it is not a regular file (opening a FIFO would block).</param>
    private readonly Func<string, string?> _notRegular;

    public HoconIncludes(string rootDirectory, string topSource, string? topFullPath, Func<string, string?> notRegular)
    {
        _notRegular = notRegular;
        _rootDirectory = Path.GetFullPath(rootDirectory);
        _directories[topSource] = _rootDirectory;
        if (topFullPath is not null) _chain.Push(topFullPath);
    }

    /// <summary>The included file's fields (unresolved), or a located error as a <see cref="HoconException"/>.</summary>
    public ObjectNode Load(string file, string fromSource, int line, int column)
    {
        HoconException Fail(string message) => new([SpecError.At(fromSource, line, column, message)]);
        var fromDirectory = _directories.GetValueOrDefault(fromSource, _rootDirectory);
        string full;
        try { full = Path.GetFullPath(Path.Combine(fromDirectory, file)); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Fail($"include \"{file}\": not a valid path");
        }
        var relative = Path.GetRelativePath(_rootDirectory, full);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
            throw Fail($"include \"{file}\": only files in the spec's folder ({_rootDirectory}) or below may be included");
        if (_chain.Contains(full))
            throw Fail($"include cycle: {string.Join(" -> ", _chain.Reverse().Append(full).Select(Path.GetFileName))}");
        if (_chain.Count >= MaxDepth) throw Fail($"includes nested deeper than {MaxDepth} files");
        var text = Read(full, file, Fail);
        _directories[full] = Path.GetDirectoryName(full)!;
        _chain.Push(full);
        try { return HoconParser.Parse(text, full, this, recordLines: false).Root; }
        finally { _chain.Pop(); }
    }

    private string Read(string full, string file, Func<string, HoconException> fail)
    {
        byte[] bytes;
        try
        {
            if (_notRegular(full) is { } kind) throw fail($"include \"{file}\": {full} is {kind}, not a regular file");
            var info = new FileInfo(full);
            if (!info.Exists) throw fail($"include \"{file}\": file not found: {full}");
            _bytesRead += info.Length;
            if (_bytesRead > SpecLoader.MaxBytes) throw fail($"include \"{file}\": the included files exceed {SpecLoader.MaxBytes:N0} bytes together");
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw fail($"include \"{file}\": cannot read {full}: {e.Message}");
        }
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw fail($"include \"{file}\": {full} is not valid UTF-8"); }
    }
}
