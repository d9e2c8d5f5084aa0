using System.Collections.Immutable;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// Replaces every <c>${path}</c> by the value at that path from the root of the document (not
/// relative to an include; environment variables are not read, so a spec means the same on every
/// machine). <c>${?path}</c> of a missing key leaves its field (or array element) out. Reports
/// unknown paths, cycles, substitutions nested deeper than <see cref="MaxChain"/> and results larger
/// than <see cref="MaxValues"/> values or deeper than <see cref="HoconParser.MaxDepth"/>.
/// </summary>
internal sealed class HoconResolver
{
    public const int MaxChain = 16;
    public const int MaxValues = 100_000;

    /// <summary>What an optional substitution of a missing key leaves: nothing.</summary>
    private sealed record MissingNode : HoconNode
    {
        public static readonly MissingNode Instance = new();
        public override string Describe() => "nothing";
    }

    private readonly ObjectNode _root;
    private readonly List<SpecError> _errors;
    private readonly Dictionary<HoconNode, HoconNode?> _done = new(ReferenceEqualityComparer.Instance);
    private readonly List<SubstitutionNode> _chain = [];

    private HoconResolver(ObjectNode root, List<SpecError> errors) { _root = root; _errors = errors; }

    /// <summary>Every path a substitution names, and each of its prefixes: definitions, not typos.</summary>
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    /// <summary>
    /// The resolved tree, or null when a problem was added to <paramref name="errors"/>;
    /// <paramref name="referenced"/> gets every path a substitution names, with its prefixes.
    /// </summary>
    public static ObjectNode? Resolve(ObjectNode root, string source, List<SpecError> errors, out ImmutableHashSet<string> referenced)
    {
        var before = errors.Count;
        var resolver = new HoconResolver(root, errors);
        var resolved = resolver.Value(root) as ObjectNode;
        referenced = resolver._referenced.ToImmutableHashSet(StringComparer.Ordinal);
        if (errors.Count > before || resolved is null) return null;
        var (values, depth) = Measure(resolved, new(ReferenceEqualityComparer.Instance));
        if (values > MaxValues) errors.Add(SpecError.InFile(source, $"substitutions expand the document to more than {MaxValues:N0} values"));
        else if (depth > HoconParser.MaxDepth) errors.Add(SpecError.InFile(source, $"substitutions nest the document deeper than {HoconParser.MaxDepth} levels"));
        return errors.Count > before ? null : resolved;
    }

    private HoconNode? Value(HoconNode node)
    {
        if (node is ScalarNode or NullNode or MissingNode) return node;
        if (_done.TryGetValue(node, out var known)) return known;
        var result = node switch
        {
            ObjectNode o => Object(o),
            ArrayNode a => Array(a),
            SubstitutionNode s => Substitute(s),
            ConcatNode c => Concat(c),
            _ => node,
        };
        _done[node] = result;
        return result;
    }

    private ObjectNode? Object(ObjectNode o)
    {
        var fields = ImmutableArray.CreateBuilder<KeyValuePair<string, HoconNode>>();
        var failed = false;
        foreach (var (key, raw) in o.Fields)
        {
            var value = Value(raw);
            if (value is null) failed = true;
            else if (value is not MissingNode) fields.Add(new(key, value));
        }
        return failed ? null : new ObjectNode(fields.ToImmutable());
    }

    private ArrayNode? Array(ArrayNode a)
    {
        var items = a.Items.Select(Value).ToList();
        return items.Any(i => i is null) ? null : new ArrayNode(items.Where(i => i is not MissingNode).ToImmutableArray()!);
    }

    private HoconNode? Substitute(SubstitutionNode s)
    {
        var at = SpecError.At(s.At.Source, s.At.Line, s.At.Column, "");
        if (_chain.Contains(s))
        {
            var cycle = _chain.SkipWhile(x => x != s).Append(s).Select(x => $"${{{x.Path}}}");
            _errors.Add(at with { Message = $"substitution cycle: {string.Join(" -> ", cycle)}" });
            return null;
        }
        if (_chain.Count >= MaxChain)
        {
            _errors.Add(at with { Message = $"substitutions nested deeper than {MaxChain}" });
            return null;
        }
        var segments = s.Path.Split('.');
        for (var i = 1; i <= segments.Length; i++) _referenced.Add(string.Join('.', segments[..i]));
        _chain.Add(s);
        try
        {
            var found = Lookup(s.Path, out var failed);
            if (failed) return null;
            if (found is not null) return found;
            if (s.Optional) return MissingNode.Instance;
            _errors.Add(at with { Message = $"unknown substitution ${{{s.Path}}}: no key '{s.Path}' in the spec (environment variables are not read)" });
            return null;
        }
        finally { _chain.RemoveAt(_chain.Count - 1); }
    }

    /// <summary>The resolved value at a path from the root; null when there is none (or it failed).</summary>
    private HoconNode? Lookup(string path, out bool failed)
    {
        failed = false;
        HoconNode? node = _root;
        foreach (var segment in path.Split('.'))
        {
            if (node is SubstitutionNode or ConcatNode) node = Value(node);
            if (node is null) { failed = true; return null; }
            node = (node as ObjectNode)?.Get(segment);
            if (node is null) return null;
        }
        var value = Value(node);
        failed = value is null;
        return value is MissingNode ? null : value;
    }

    private HoconNode? Concat(ConcatNode c)
    {
        var parts = new List<(HoconNode Node, bool Space)>();
        for (var i = 0; i < c.Parts.Length; i++)
        {
            var part = Value(c.Parts[i]);
            if (part is null) return null;
            if (part is not MissingNode) parts.Add((part, c.SpaceBefore[i]));
        }
        if (parts.Count == 0) return MissingNode.Instance;
        if (c.IsMerge) return parts.Select(p => p.Node).Aggregate(ObjectNode.Merge);
        if (parts.All(p => p.Node is ObjectNode)) return parts.Select(p => p.Node).Aggregate(ObjectNode.Merge);
        // Joining doubles what it joins: checked before building, so `b = ${a} ${a}` nested 40 deep cannot exhaust memory.
        if (parts.All(p => p.Node is ArrayNode))
        {
            if (parts.Sum(p => (long)((ArrayNode)p.Node).Items.Length) > MaxValues) return Fail(c.At, $"substitutions expand the document to more than {MaxValues:N0} values");
            return new ArrayNode(parts.SelectMany(p => ((ArrayNode)p.Node).Items).ToImmutableArray());
        }
        if (parts.All(p => p.Node is ScalarNode or NullNode))
        {
            if (parts.Sum(p => (long)((p.Node as ScalarNode)?.Text.Length ?? 4) + 1) > SpecLoader.MaxBytes)
                return Fail(c.At, $"substitutions make a text longer than {SpecLoader.MaxBytes:N0} characters");
            return new ScalarNode(string.Concat(parts.Select((p, i) => (i > 0 && p.Space ? " " : "") + (p.Node is ScalarNode s ? s.Text : "null"))));
        }
        return Fail(c.At, $"cannot join {string.Join(" and ", parts.Select(p => p.Node.Describe()).Distinct())} in one value: objects join objects, arrays join arrays, text joins text");
    }

    private HoconNode? Fail(SourcePosition at, string message)
    {
        _errors.Add(SpecError.At(at.Source, at.Line, at.Column, message));
        return null;
    }

    private static (long Values, int Depth) Measure(HoconNode node, Dictionary<HoconNode, (long, int)> seen)
    {
        if (node is not (ObjectNode or ArrayNode)) return (1, 0);
        if (seen.TryGetValue(node, out var known)) return known;
        var children = node is ObjectNode o ? o.Fields.Select(f => f.Value) : ((ArrayNode)node).Items;
        long values = 1;
        var depth = 0;
        foreach (var child in children)
        {
            var (v, d) = Measure(child, seen);
            values = Math.Min(values + v, long.MaxValue / 2);
            depth = Math.Max(depth, d);
        }
        return seen[node] = (values, depth + 1);
    }
}
