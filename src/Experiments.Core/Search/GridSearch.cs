using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>
/// Every combination of the space's values, in a fixed order: the last parameter varies fastest
/// (like nested loops in declaration order). Config i is computed from i, so nothing is materialised.
/// </summary>
public sealed class GridSearch : ISearchMethod
{
    private readonly ImmutableArray<(string Name, ImmutableArray<ParamValue> Values)> _axes;
    private readonly ParameterSet _defaults;
    private int _next;

    public GridSearch(SearchSpace space, ParameterSet defaults)
    {
        _axes = space.Parameters.Select(d => (d.Name, DomainValues.Enumerate(d)
            ?? throw new ArgumentException($"{d.Name}: a grid search needs grid-points for a continuous domain", nameof(space))))
            .ToImmutableArray();
        var count = CountOrNull(space);
        if (count is null or > int.MaxValue) throw new ArgumentException("the grid is too large to enumerate", nameof(space));
        Count = (int)count.Value;
        _defaults = defaults;
    }

    /// <summary>Number of configurations: the product of the domains' sizes.</summary>
    public int Count { get; }

    public int? PlannedCount => Count;

    /// <summary>Size of the grid over <paramref name="space"/>; null when it cannot be enumerated or exceeds long.</summary>
    public static long? CountOrNull(SearchSpace space)
    {
        long product = 1;
        foreach (var domain in space.Parameters)
        {
            if (DomainValues.GridSize(domain) is not { } size) return null;
            if (size != 0 && product > long.MaxValue / size) return null;
            product *= size;
        }
        return product;
    }

    public TrialConfig? Ask() => _next < Count ? ConfigAt(_next++) : null;

    /// <summary>Grid search does not learn from scores.</summary>
    public void Tell(ConfigResult result) { }

    public bool IsAdaptive => false;

    /// <summary>Configuration <paramref name="id"/> of the grid (mixed-radix digits of the id, last axis fastest).</summary>
    public TrialConfig ConfigAt(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        var chosen = ParameterSet.Empty;
        var rest = id;
        for (var axis = _axes.Length - 1; axis >= 0; axis--)
        {
            var (name, values) = _axes[axis];
            chosen = chosen.With(name, values[rest % values.Length]);
            rest /= values.Length;
        }
        return new TrialConfig(id, _defaults.Override(chosen));
    }
}
