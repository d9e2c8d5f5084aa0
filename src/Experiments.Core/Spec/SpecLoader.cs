using System.Collections.Immutable;
using System.Text;
using Akka.Configuration;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>
/// Reads sweep files. Never throws for bad input and never hangs: the text is size-checked and
/// structurally scanned before Akka's HOCON parser sees it (that parser accepts malformed text
/// silently and, on an unclosed '[', allocates without limit), and every problem comes back as a
/// located <see cref="SpecError"/>.
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
            var info = new FileInfo(path);
            if (!info.Exists) return SpecLoadResult.Invalid([SpecError.InFile(path, "file not found")]);
            if (info.Length > MaxBytes) return TooLarge(path, info.Length);
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return SpecLoadResult.Invalid([SpecError.InFile(path, $"cannot read the file: {e.Message}")]);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
        return LoadBytes(bytes, path, directory, context);
    }

    public static SpecLoadResult LoadBytes(byte[] bytes, string sourceName, string baseDirectory, SpecContext context)
    {
        if (bytes.Length > MaxBytes) return TooLarge(sourceName, bytes.Length);
        if (Utf8.FirstInvalidByte(bytes) is { } bad)
            return SpecLoadResult.Invalid([SpecError.At(sourceName, bad.Line, bad.Column, "invalid UTF-8: save the file as UTF-8")]);
        return LoadText(Encoding.UTF8.GetString(bytes), sourceName, baseDirectory, context);
    }

    public static SpecLoadResult LoadText(string text, string sourceName, string baseDirectory, SpecContext context)
    {
        try
        {
            if (text.Length > MaxBytes) return TooLarge(sourceName, text.Length);
            var structure = HoconStructure.Check(text);
            if (!structure.Errors.IsEmpty)
                return SpecLoadResult.Invalid(structure.Errors.Select(e => SpecError.At(sourceName, e.Line, e.Column, e.Message)));
            ObjectNode? root;
            try { root = HoconNodes.From(ConfigurationFactory.ParseString(structure.Canonical).Root) as ObjectNode; }
            catch (Exception e) { return SpecLoadResult.Invalid([SpecError.InFile(sourceName, $"HOCON parser: {e.Message}")]); }
            if (root is null) return SpecLoadResult.Invalid([SpecError.InFile(sourceName, "expected an object at the top of the file")]);
            return SweepReader.Read(root, SweepDefaults.Value, sourceName, baseDirectory, context, structure.KeyLines);
        }
        catch (Exception e)
        {
            // The scanner should leave nothing for this to catch; if it does, the user still gets a message.
            return SpecLoadResult.Invalid([SpecError.InFile(sourceName, $"could not read the spec ({e.GetType().Name}: {e.Message})")]);
        }
    }

    private static ObjectNode LoadSweepDefaults()
    {
        var root = HoconNodes.From(ConfigurationFactory.ParseString(ReferenceConf()).Root) as ObjectNode;
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
