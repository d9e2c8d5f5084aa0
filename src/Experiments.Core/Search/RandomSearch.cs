using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>
/// <see cref="Samples"/> configurations drawn independently from the space. Config i depends only
/// on the seed and i, so a recovering sweep gets the same configurations back in any order. A
/// conditional parameter is drawn after its parents, and only when it exists.
/// </summary>
public sealed class RandomSearch : ISearchMethod
{
    private readonly SearchSpace _space;
    private readonly ParameterSet _defaults;
    private readonly int _seed;
    private int _next;

    public RandomSearch(SearchSpace space, ParameterSet defaults, int samples, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        _space = space;
        _defaults = defaults;
        _seed = seed;
        Samples = samples;
    }

    public int Samples { get; }

    public int? PlannedCount => Samples;

    public TrialConfig? Ask() => _next < Samples ? ConfigAt(_next++) : null;

    /// <summary>Random search does not learn from results.</summary>
    public void Tell(ConfigResult result) { }

    public bool IsAdaptive => false;

    public TrialConfig ConfigAt(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Samples);
        var random = SplitMix64.For(_seed, id);
        return new TrialConfig(id, SpaceStructure.Resolve(_space, _defaults, SpaceStructure.Sample(_space, random)));
    }
}
