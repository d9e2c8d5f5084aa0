using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>
/// The configurations of a grid over a space that may have conditional parameters: a tree where a
/// parameter branches only where it exists (an absent parameter is one branch, not one per value),
/// so no two configurations differ only in absent parameters. Configurations are numbered in
/// depth-first order over <see cref="SpaceStructure.Ordered"/>, the last parameter varying fastest;
/// without conditions that is exactly the mixed-radix order of nested loops. Counts of subtrees are
/// memoised by the values of the parents that later parameters depend on, so config i is found
/// without enumerating the ones before it.
/// </summary>
public sealed class GridTree
{
    private readonly ImmutableArray<(ParameterDomain Domain, ImmutableArray<ParamValue> Values)> _axes;
    // Per axis k: the parents (decided before k) that some axis >= k depends on; the key of a subtree count.
    private readonly ImmutableArray<ImmutableArray<string>> _context;
    private readonly Dictionary<(int Axis, string Key), long> _counts = [];

    private GridTree(ImmutableArray<(ParameterDomain, ImmutableArray<ParamValue>)> axes)
    {
        _axes = axes;
        var names = axes.Select(a => a.Item1.Name).ToList();
        _context = Enumerable.Range(0, axes.Length + 1).Select(k => axes.Skip(k)
            .SelectMany(a => a.Item1.When.Select(c => c.Parent))
            .Where(p => names.IndexOf(p) is var i && i >= 0 && i < k)
            .Distinct().Order(StringComparer.Ordinal).ToImmutableArray()).ToImmutableArray();
    }

    /// <summary>The tree of a space, or null when a domain cannot be enumerated (continuous without grid-points).</summary>
    public static GridTree? Of(SearchSpace space)
    {
        var axes = new List<(ParameterDomain, ImmutableArray<ParamValue>)>();
        foreach (var domain in SpaceStructure.Ordered(space))
        {
            if (DomainValues.Enumerate(domain) is not { } values) return null;
            axes.Add((domain, values));
        }
        return new GridTree(axes.ToImmutableArray());
    }

    /// <summary>Number of distinct configurations; long.MaxValue when it overflows.</summary>
    public long Count => CountFrom(0, ParameterSet.Empty);

    /// <summary>The searched values of configuration <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>); absent parameters left out.</summary>
    public ParameterSet At(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var chosen = ParameterSet.Empty;
        for (var k = 0; k < _axes.Length; k++)
        {
            var (domain, values) = _axes[k];
            if (!SpaceStructure.IsPresent(domain, chosen)) continue;
            foreach (var value in values)
            {
                var with = chosen.With(domain.Name, value);
                var below = CountFrom(k + 1, with);
                if (index < below) { chosen = with; break; }
                index -= below;
            }
        }
        return chosen;
    }

    private long CountFrom(int k, ParameterSet chosen)
    {
        if (k == _axes.Length) return 1;
        var key = string.Join("\u0001", _context[k].Select(p => chosen.Values.TryGetValue(p, out var v) ? "=" + v : "-"));
        if (_counts.TryGetValue((k, key), out var known)) return known;
        var (domain, values) = _axes[k];
        long count;
        if (!SpaceStructure.IsPresent(domain, chosen)) count = CountFrom(k + 1, chosen);
        else
        {
            count = 0;
            foreach (var value in values)
            {
                var below = CountFrom(k + 1, chosen.With(domain.Name, value));
                count = below > long.MaxValue - count ? long.MaxValue : count + below;
            }
        }
        _counts[(k, key)] = count;
        return count;
    }
}
