using System.Collections.Immutable;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// A parsed HOCON value in a shape that is easy to validate. After <see cref="HoconResolver"/> a
/// tree holds only objects, arrays, scalars and null; before it, also substitutions and
/// concatenations that contain them.
/// </summary>
internal abstract record HoconNode
{
    public abstract string Describe();
}

internal sealed record ObjectNode(ImmutableArray<KeyValuePair<string, HoconNode>> Fields) : HoconNode
{
    public static readonly ObjectNode Empty = new(ImmutableArray<KeyValuePair<string, HoconNode>>.Empty);
    public HoconNode? Get(string key) => Fields.FirstOrDefault(f => f.Key == key).Value;
    public IEnumerable<string> Keys => Fields.Select(f => f.Key);
    public override string Describe() => "an object";

    /// <summary>These fields over <paramref name="defaults"/>: objects merge key by key, anything else replaces.</summary>
    public ObjectNode Over(ObjectNode defaults)
    {
        var merged = defaults.Fields.Select(d => Get(d.Key) switch
        {
            null => d,
            ObjectNode mine when d.Value is ObjectNode theirs => new(d.Key, mine.Over(theirs)),
            var mine => new KeyValuePair<string, HoconNode>(d.Key, mine),
        });
        var extra = Fields.Where(f => defaults.Get(f.Key) is null);
        return new(merged.Concat(extra).ToImmutableArray());
    }

    /// <summary>This object with <paramref name="value"/> set at the key, merged as HOCON merges a duplicate key.</summary>
    public ObjectNode Set(string key, HoconNode value)
    {
        for (var i = 0; i < Fields.Length; i++)
            if (Fields[i].Key == key) return new(Fields.SetItem(i, new(key, Merge(Fields[i].Value, value))));
        return new(Fields.Add(new(key, value)));
    }

    /// <summary>
    /// A later value for a key that already has one: two objects merge (the later's keys win); when
    /// either is still to be resolved the merge waits for it; anything else replaces.
    /// </summary>
    public static HoconNode Merge(HoconNode earlier, HoconNode later) => (earlier, later) switch
    {
        (ObjectNode a, ObjectNode b) => b.Fields.Aggregate(a, (o, f) => o.Set(f.Key, f.Value)),
        (ObjectNode or SubstitutionNode or ConcatNode, SubstitutionNode or ConcatNode or ObjectNode) => ConcatNode.MergeOf(earlier, later),
        _ => later,
    };
}

internal sealed record ArrayNode(ImmutableArray<HoconNode> Items) : HoconNode
{
    public override string Describe() => "an array";
}

/// <summary>Text as written (numbers and booleans too: HOCON leaves typing to the reader).</summary>
internal sealed record ScalarNode(string Text) : HoconNode
{
    public override string Describe() => $"'{Text}'";
}

internal sealed record NullNode : HoconNode
{
    public static readonly NullNode Instance = new();
    public override string Describe() => "null";
}

/// <summary>Where a value was written: for the errors of substitutions, which are found after parsing.</summary>
internal readonly record struct SourcePosition(string Source, int Line, int Column);

/// <summary><c>${path}</c>, or <c>${?path}</c> when <see cref="Optional"/>: replaced by the value at the path.</summary>
internal sealed record SubstitutionNode(string Path, bool Optional, SourcePosition At) : HoconNode
{
    public override string Describe() => $"${{{(Optional ? "?" : "")}{Path}}}";
}

/// <summary>
/// Values written side by side on one line, at least one of them a substitution: objects merge,
/// arrays join, text joins (with a space where <see cref="SpaceBefore"/> says the file had one).
/// A <see cref="IsMerge"/> node is a key given twice: objects merge, otherwise the later wins.
/// </summary>
internal sealed record ConcatNode(ImmutableArray<HoconNode> Parts, ImmutableArray<bool> SpaceBefore, SourcePosition At, bool IsMerge = false) : HoconNode
{
    public override string Describe() => "a concatenation";

    public static ConcatNode MergeOf(HoconNode earlier, HoconNode later)
    {
        var at = later switch { SubstitutionNode s => s.At, ConcatNode c => c.At, _ => earlier is ConcatNode e ? e.At : ((SubstitutionNode)earlier).At };
        return new([earlier, later], [false, false], at, IsMerge: true);
    }
}
