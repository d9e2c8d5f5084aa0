using System.Collections.Immutable;
using Akka.Configuration.Hocon;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// A parsed HOCON value in a shape that is easy to validate: the loader never calls Akka's typed
/// getters, which read missing keys as 0 and throw on wrong shapes.
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

internal static class HoconNodes
{
    public static HoconNode From(HoconValue value)
    {
        if (value.IsObject())
            return new ObjectNode(value.GetObject().Items
                .Select(kv => new KeyValuePair<string, HoconNode>(kv.Key, From(kv.Value))).ToImmutableArray());
        if (value.IsArray()) return new ArrayNode(value.GetArray().Select(From).ToImmutableArray());
        // Akka does not call an empty array an array.
        if (value.Values.Count == 1 && value.Values[0] is HoconArray array) return new ArrayNode(array.Select(From).ToImmutableArray());
        if (value.Values.Count == 1 && value.Values[0] is HoconLiteral { Value: "null" }) return NullNode.Instance;
        return new ScalarNode(value.GetString() ?? "");
    }
}
