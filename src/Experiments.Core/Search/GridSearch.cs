using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>
/// Every combination of the space's values, in a fixed order: the last parameter varies fastest
/// (like nested loops in declaration order, parents before the parameters that depend on them).
/// A conditional parameter branches only where it exists (<see cref="GridTree"/>). Config i is
/// computed from i, so nothing is materialised.
/// </summary>
public sealed class GridSearch : ISearchMethod
{
    private readonly SearchSpace _space;
    private readonly GridTree _tree;
    private readonly ParameterSet _defaults;
    private int _next;

    public GridSearch(SearchSpace space, ParameterSet defaults)
    {
        if (space.Parameters.FirstOrDefault(d => DomainValues.Enumerate(d) is null) is { } continuous)
            throw new ArgumentException($"{continuous.Name}: a grid search needs grid-points for a continuous domain", nameof(space));
        _tree = GridTree.Of(space)!;
        var count = _tree.Count;
        if (count > int.MaxValue) throw new ArgumentException("the grid is too large to enumerate", nameof(space));
        Count = (int)count;
        _space = space;
        _defaults = defaults;
    }

    /// <summary>Number of configurations: the product of the domains' sizes, over the branches that exist.</summary>
    public int Count { get; }

    public int? PlannedCount => Count;

    /// <summary>Size of the grid over <paramref name="space"/>; null when it cannot be enumerated or exceeds long.</summary>
    public static long? CountOrNull(SearchSpace space) => GridTree.Of(space)?.Count is { } count && count < long.MaxValue ? count : null;

    public TrialConfig? Ask() => _next < Count ? ConfigAt(_next++) : null;

    /// <summary>Grid search does not learn from results.</summary>
    public void Tell(ConfigResult result) { }

    public bool IsAdaptive => false;

    /// <summary>Configuration <paramref name="id"/> of the grid (without conditions: the mixed-radix digits of the id, last axis fastest).</summary>
    public TrialConfig ConfigAt(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return new TrialConfig(id, SpaceStructure.Resolve(_space, _defaults, _tree.At(id)));
    }
}
