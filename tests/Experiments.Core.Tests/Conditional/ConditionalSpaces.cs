using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Conditional;

/// <summary>Conditional search spaces for the specs: a fixed one, and random ones built from a seed.</summary>
internal static class ConditionalSpaces
{
    private static ParamValue V(double x) => ParamValue.Of(x);
    private static ParamValue W(string s) => ParamValue.Of(s);

    /// <summary>optimizer; momentum only for sgd; dense-layers; hidden-2 from 2 layers, hidden-3 at 3 (and only when hidden-2 is 64).</summary>
    public static readonly SearchSpace Fixed = new([
        new ChoiceDomain("optimizer", [W("adam"), W("sgd")]),
        new ChoiceDomain("momentum", [V(0.5), V(0.9)]) { When = [new Condition("optimizer", [W("sgd")])] },
        new ChoiceDomain("dense-layers", [V(1), V(2), V(3)]),
        new ChoiceDomain("hidden-2", [V(32), V(64)]) { When = [new Condition("dense-layers", [V(2), V(3)])] },
        new ChoiceDomain("hidden-3", [V(16), V(32)]) { When = [new Condition("dense-layers", [V(3)]), new Condition("hidden-2", [V(64)])] },
    ]);

    /// <summary>
    /// A random conditional space: parents (optimizer, dense-layers), children that depend on them and
    /// on each other (hidden-3 on hidden-2), an unconditional parameter, in a shuffled declaration order
    /// so that children are often declared before their parents.
    /// </summary>
    public static SearchSpace Random(int seed, bool gridReady)
    {
        var r = new SplitMix64((ulong)(uint)seed);
        var optimizers = new[] { W("adam"), W("sgd"), W("rmsprop") }.Take(2 + (int)r.NextBelow(2)).ToImmutableArray();
        ParameterDomain layers = r.NextBelow(2) == 0
            ? new ChoiceDomain("dense-layers", [V(1), V(2), V(3)])
            : new IntRangeDomain("dense-layers", 1, 3, 1);
        var widths = Enumerable.Range(1, 1 + (int)r.NextBelow(3)).Select(i => V(16 * i)).ToImmutableArray();
        var hidden2 = new ChoiceDomain("hidden-2", widths) { When = [new Condition("dense-layers", Subset(r, [V(2), V(3)]))] };
        var hidden3Conditions = new List<Condition> { new("dense-layers", Subset(r, [V(1), V(2), V(3)])) };
        if (r.NextBelow(2) == 0) hidden3Conditions.Add(new Condition("hidden-2", Subset(r, widths)));
        var hidden3 = new IntRangeDomain("hidden-3", 8, 8 + 8 * (long)r.NextBelow(4), 8) { When = [.. hidden3Conditions] };
        int? points = gridReady || r.NextBelow(2) == 0 ? 2 + (int)r.NextBelow(2) : null;
        var momentum = new UniformDomain("momentum", 0.1, 0.99, points) { When = [new Condition("optimizer", Subset(r, optimizers))] };
        var rate = new LogUniformDomain("learning-rate", 1e-4, 1e-1, gridReady ? 2 : null);
        var domains = new List<ParameterDomain> { new ChoiceDomain("optimizer", optimizers), layers, hidden2, hidden3, momentum, rate };
        return new SearchSpace(domains.OrderBy(_ => r.NextUInt64()).ToImmutableArray());
    }

    private static ImmutableArray<ParamValue> Subset(SplitMix64 r, ImmutableArray<ParamValue> values)
    {
        var kept = values.Where(_ => r.NextBelow(2) == 0).ToImmutableArray();
        return kept.IsEmpty ? [values[(int)r.NextBelow((ulong)values.Length)]] : kept;
    }

    /// <summary>
    /// The distinct configurations of a grid, by brute force: every combination of every domain's
    /// values, conditions ignored, then each reduced to the parameters that exist in it.
    /// </summary>
    public static HashSet<ParameterSet> BruteForceGrid(SearchSpace space)
    {
        var ordered = SpaceStructure.Ordered(space);
        var combinations = new List<ParameterSet> { ParameterSet.Empty };
        foreach (var domain in ordered)
            combinations = combinations.SelectMany(c => DomainValues.Enumerate(domain)!.Value.Select(v => c.With(domain.Name, v))).ToList();
        return combinations.Select(full => ordered.Aggregate(ParameterSet.Empty,
            (kept, d) => SpaceStructure.IsPresent(d, kept) ? kept.With(d.Name, full[d.Name]) : kept)).ToHashSet();
    }

    /// <summary>The searched part of a config: only the space's parameters.</summary>
    public static ParameterSet Searched(SearchSpace space, ParameterSet config) =>
        space.Parameters.Aggregate(ParameterSet.Empty, (set, d) => config.Values.TryGetValue(d.Name, out var v) ? set.With(d.Name, v) : set);
}
