using System.Collections.Immutable;
using System.Globalization;
using Experiments.Core.Search;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>Scalar values of the tree, read with an error at their key path when they do not fit.</summary>
internal sealed partial class SweepReader
{
    // ---- scalars ------------------------------------------------------------------------------

    private static double? Number(HoconNode node) =>
        node is ScalarNode { Text: var text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.IsFinite(x) ? x : null;

    private static bool IsInteger(double x) => Math.Abs(x - Math.Round(x)) < 1e-9 && Math.Abs(x) < 1e15;

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A word in quotes, with the characters a reader could not see written as HOCON escapes.</summary>
    private static string Quote(string word) =>
        "'" + string.Concat(word.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when char.IsControl(c) => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        })) + "'";

    private static string Show(HoconNode node) => node switch
    {
        ArrayNode a => $"[{string.Join(", ", a.Items.Select(Show))}]",
        ScalarNode s => s.Text,
        _ => node.Describe(),
    };

    private string? Word(ObjectNode o, string key, string path)
    {
        switch (o.Get(key))
        {
            case null or NullNode: return null;
            case ScalarNode s: return s.Text;
            case var other: Error(Join(path, key), $"expected a word, got {other.Describe()}"); return null;
        }
    }

    private int? Int(ObjectNode o, string key, string path, int min, int max)
    {
        var node = o.Get(key);
        var x = node is null ? null : Number(node);
        if (x is null || !IsInteger(x.Value))
        {
            Error(Join(path, key), $"expected an integer, got {(node is null ? "nothing" : node.Describe())}");
            return null;
        }
        if (x < min || x > max)
        {
            Error(Join(path, key), max == int.MaxValue ? $"must be >= {min}, got {Format(x.Value)}" : $"must be between {min} and {max}, got {Format(x.Value)}");
            return null;
        }
        return (int)x.Value;
    }

    private double? Real(ObjectNode o, string key, string path)
    {
        var node = o.Get(key);
        if (node is not null && Number(node) is { } x) return x;
        Error(Join(path, key), $"expected a number, got {(node is null ? "nothing" : node.Describe())}");
        return null;
    }

    private bool? Bool(ObjectNode o, string key, string path)
    {
        switch (o.Get(key))
        {
            case ScalarNode { Text: "on" or "true" or "yes" }: return true;
            case ScalarNode { Text: "off" or "false" or "no" }: return false;
            case var other:
                Error(Join(path, key), $"expected on or off (true/false, yes/no), got {other?.Describe() ?? "nothing"}");
                return null;
        }
    }
}
