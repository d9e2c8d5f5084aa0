using Experiments.Core.Spec;

namespace Experiments.Core.Search.Tpe;

/// <summary>
/// <c>method = tpe</c>: <see cref="Samples"/> configurations proposed by a Tree-structured Parzen
/// Estimator (<see cref="TpeSampler"/>, faithful to Optuna's TPESampler) that learns from every result
/// it is told.
/// </summary>
/// <remarks>
/// The scheduler's side of the contract (see <see cref="ISearchMethod"/>): ask when a slot frees; tell
/// each config's result exactly once, in config-id order (hold back a result until every lower id has
/// been told). Ask for config n is then a pure function of (seed, n, the results told, the configs in
/// flight), so a sweep that asks config n at the same point of the told sequence gets the same config
/// at any concurrency and on any node. Configs in flight are imputed as bad (the constant liar) unless
/// <see cref="TpeSettings.ConstantLiar"/> is off. A failed config, or a completed one whose score is NaN,
/// is left out of the model. Not thread-safe: one actor owns it.
/// </remarks>
public sealed class TpeSearch : ISearchMethod
{
    private readonly TpeSampler _sampler;
    private readonly SearchSpace _space;
    private readonly ParameterSet _defaults;
    private readonly List<TrialConfig> _asked = [];
    private readonly Dictionary<int, ToldConfig> _told = [];

    public TpeSearch(SearchSpace space, ParameterSet defaults, int samples, int seed, OptimizationMode direction, TpeSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        _sampler = new TpeSampler(space, settings, direction, seed);
        _space = space;
        _defaults = defaults;
        Samples = samples;
    }

    public int Samples { get; }

    public TpeSettings Settings => _sampler.Settings;

    /// <summary>Whether lower or higher scores are better: the sweep's early-stopping mode, which also ranks its leaderboard.</summary>
    public OptimizationMode Direction => _sampler.Direction;

    public int? PlannedCount => Samples;

    public bool IsAdaptive => true;

    /// <summary>Configs asked so far whose results have not been told.</summary>
    public IReadOnlyList<TrialConfig> InFlight => _asked.Where(c => !_told.ContainsKey(c.Id)).ToList();

    public TrialConfig? Ask()
    {
        if (_asked.Count >= Samples) return null;
        var id = _asked.Count;
        var chosen = _sampler.Suggest(id, _told.Values, InFlight);
        var config = new TrialConfig(id, SpaceStructure.Resolve(_space, _defaults, chosen));
        _asked.Add(config);
        return config;
    }

    public void Tell(ConfigResult result)
    {
        if (result.ConfigId < 0 || result.ConfigId >= _asked.Count)
            throw new ArgumentException($"config {result.ConfigId} was never asked (asked: {_asked.Count})", nameof(result));
        if (!_told.TryAdd(result.ConfigId, new ToldConfig(_asked[result.ConfigId], result)))
            throw new InvalidOperationException($"config {result.ConfigId} was already told");
    }
}
