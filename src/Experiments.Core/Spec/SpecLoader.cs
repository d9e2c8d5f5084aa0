using System.Collections.Immutable;
using System.Text;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>
/// Reads sweep files. Never throws for bad input and never hangs: the text is size-checked, parsed
/// once by the project's own HOCON parser (includes and substitutions resolved, with their
/// limits), and every problem comes back as a located <see cref="SpecError"/>.
/// </summary>
public static class SpecLoader
{
    /// <summary>Spec files are small; a larger input is a mistake, not a sweep.</summary>
    public const int MaxBytes = 1 << 20;

    private static readonly Lazy<ObjectNode> SweepDefaults = new(LoadSweepDefaults);

    /// <summary>The schema with every default, as embedded (reference.conf).</summary>
    public static string ReferenceConf()
    {
        using var stream = typeof(SpecLoader).Assembly.GetManifestResourceStream("Experiments.Core.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Experiments.Core");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static SpecLoadResult LoadFile(string path, SpecContext context)
    {
        byte[] bytes;
        try
        {
            if (context.NotRegular(path) is { } kind) return SpecLoadResult.Invalid([SpecError.InFile(path, $"{kind}, not a regular file")]);
            var info = new FileInfo(path);
            if (!info.Exists) return SpecLoadResult.Invalid([SpecError.InFile(path, "file not found")]);
            if (info.Length > MaxBytes) return TooLarge(path, info.Length);
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return SpecLoadResult.Invalid([SpecError.InFile(path, $"cannot read the file: {e.Message}")]);
        }
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
        return LoadBytes(bytes, path, directory, context, fullPath);
    }

    public static SpecLoadResult LoadBytes(byte[] bytes, string sourceName, string baseDirectory, SpecContext context) =>
        LoadBytes(bytes, sourceName, baseDirectory, context, fullPath: null);

    private static SpecLoadResult LoadBytes(byte[] bytes, string sourceName, string baseDirectory, SpecContext context, string? fullPath)
    {
        if (bytes.Length > MaxBytes) return TooLarge(sourceName, bytes.Length);
        if (Utf8.FirstInvalidByte(bytes) is { } bad)
            return SpecLoadResult.Invalid([SpecError.At(sourceName, bad.Line, bad.Column, "invalid UTF-8: save the file as UTF-8")]);
        return LoadText(Encoding.UTF8.GetString(bytes), sourceName, baseDirectory, context, fullPath);
    }

    /// <param name="baseDirectory">The folder IDX paths and includes are relative to; includes must stay in it.</param>
    public static SpecLoadResult LoadText(string text, string sourceName, string baseDirectory, SpecContext context) =>
        LoadText(text, sourceName, baseDirectory, context, fullPath: null);

    private static SpecLoadResult LoadText(string text, string sourceName, string baseDirectory, SpecContext context, string? fullPath)
    {
        try
        {
            if (text.Length > MaxBytes) return TooLarge(sourceName, text.Length);
            var (root, keyLines, errors, referenced) = Parse(text, sourceName, baseDirectory, fullPath, context.NotRegular);
            if (root is null) return SpecLoadResult.Invalid(errors);
            return SweepReader.Read(root, SweepDefaults.Value, sourceName, baseDirectory, context, keyLines, referenced);
        }
        catch (Exception e)
        {
            // The scanner should leave nothing for this to catch; if it does, the user still gets a message.
            return SpecLoadResult.Invalid([SpecError.InFile(sourceName, $"could not read the spec ({e.GetType().Name}: {e.Message})")]);
        }
    }

    /// <summary>
    /// One parse: the resolved tree, the line of each key path of the top file and the paths that
    /// substitutions name; or every problem.
    /// </summary>
    internal static (ObjectNode? Root, ImmutableDictionary<string, int> KeyLines, ImmutableArray<SpecError> Errors, ImmutableHashSet<string> Referenced) Parse(
        string text, string sourceName, string baseDirectory, string? fullPath, Func<string, string?> notRegular)
    {
        try
        {
            var includes = new HoconIncludes(baseDirectory, sourceName, fullPath, notRegular);
            var (raw, keyLines) = HoconParser.Parse(text, sourceName, includes, recordLines: true);
            var errors = new List<SpecError>();
            var root = HoconResolver.Resolve(raw, sourceName, errors, out var referenced);
            return (root, keyLines, errors.ToImmutableArray(), referenced);
        }
        catch (HoconException e)
        {
            return (null, ImmutableDictionary<string, int>.Empty, e.Errors, ImmutableHashSet<string>.Empty);
        }
    }

    private static ObjectNode LoadSweepDefaults()
    {
        var (root, _, errors, _) = Parse(ReferenceConf(), "reference.conf", AppContext.BaseDirectory, fullPath: null, SpecContext.Default.NotRegular);
        if (!errors.IsEmpty) throw new InvalidOperationException($"reference.conf: {string.Join("; ", errors)}");
        return (root?.Get("experiments") as ObjectNode)?.Get("sweep-defaults") as ObjectNode
            ?? throw new InvalidOperationException("reference.conf has no experiments.sweep-defaults");
    }

    private static SpecLoadResult TooLarge(string source, long length) =>
        SpecLoadResult.Invalid([SpecError.InFile(source, $"the file is {length:N0} bytes; a spec file may have at most {MaxBytes:N0}")]);

    /// <summary>Strict UTF-8 check that also says where the first bad byte is.</summary>
    private static class Utf8
    {
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public static (int Line, int Column)? FirstInvalidByte(byte[] bytes)
        {
            try
            {
                Strict.GetCharCount(bytes);
                return null;
            }
            catch (DecoderFallbackException e)
            {
                var index = Math.Clamp(e.Index, 0, bytes.Length);
                var line = 1 + bytes.Take(index).Count(b => b == (byte)'\n');
                var lineStart = index == 0 ? 0 : Array.LastIndexOf(bytes, (byte)'\n', index - 1) + 1;
                return (line, 1 + index - lineStart);
            }
        }
    }
}
