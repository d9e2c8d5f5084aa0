using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search.Tpe;

/// <summary>
/// Optuna's TPESampler (v4.9, single objective) as a pure function: <see cref="Suggest"/> gives config
/// n's values from the seed, n, the told results and the configs in flight, and nothing else.
/// </summary>
/// <remarks>
/// Until <see cref="TpeSettings.StartupTrials"/> configs have completed or been pruned, config n is
/// drawn at random exactly as <see cref="RandomSearch"/> draws it. After that the told observations
/// are split by <see cref="TpeRules.Split"/> into good and bad; a Parzen estimator is fitted to each
/// (one per parameter, or one joint estimator when multivariate); <see cref="TpeSettings.Candidates"/>
/// points are drawn from the good one, and the point with the largest log l(x) − log g(x) wins
/// (the expected-improvement criterion of Bergstra et al. 2011). The first candidate wins ties.
/// A conditional parameter is chosen after its parents, only when it exists, from estimators fitted
/// on the configs where it was present (good and bad split over all configs first, as Optuna does).
/// All randomness comes from <see cref="SplitMix64.For"/>(seed, n), never from a shared stream,
/// so the result does not depend on what was asked before. The order in which results were told
/// does not matter either: observations are ordered by config id.
/// </remarks>
public sealed class TpeSampler
{
    private readonly SearchSpace _space;
    private readonly ImmutableArray<ParameterDomain> _ordered;
    private readonly ImmutableArray<TpeDimension> _dimensions;

    public TpeSampler(SearchSpace space, TpeSettings settings, OptimizationMode direction, int seed)
    {
        if (settings.Problem() is { } problem) throw new ArgumentException($"TPE settings: {problem}", nameof(settings));
        _space = space;
        _ordered = SpaceStructure.Ordered(space);
        _dimensions = _ordered.Select(TpeDimension.Of).OfType<TpeDimension>().ToImmutableArray();
        Settings = settings;
        Direction = direction;
        Seed = seed;
    }

    public TpeSettings Settings { get; }
    public OptimizationMode Direction { get; }
    public int Seed { get; }

    /// <summary>The searched values of config <paramref name="configId"/> (only the space's parameters).</summary>
    /// <param name="told">Every config told so far, in any order.</param>
    /// <param name="inFlight">Configs asked but not told; with the constant liar they count as bad observations, else they are ignored.</param>
    public ParameterSet Suggest(int configId, IReadOnlyCollection<ToldConfig> told, IReadOnlyCollection<TrialConfig> inFlight)
    {
        var random = SplitMix64.For(Seed, configId);
        var finished = told.Count(t => TpeRules.Counts(t.Result));
        if (finished < Settings.StartupTrials || _dimensions.IsEmpty) return SpaceStructure.Sample(_space, random);

        var split = TpeRules.Split(told, Settings.ConstantLiar ? inFlight : [], Settings.GoodCount(finished), Direction);
        var chosen = ParameterSet.Empty;
        // Multivariate: one joint density over the parameters every config has; conditional ones are
        // sampled on their own, as Optuna samples parameters outside the intersection search space.
        var joint = Settings.Multivariate ? _dimensions.Where(d => Domain(d.Name).When.IsEmpty).ToList() : [];
        if (joint.Count > 0) chosen = Choose(joint, split, random, chosen);
        foreach (var domain in _ordered)
        {
            if (chosen.Values.ContainsKey(domain.Name) || !SpaceStructure.IsPresent(domain, chosen)) continue;
            chosen = _dimensions.FirstOrDefault(d => d.Name == domain.Name) is { } dimension
                ? Choose([dimension], split, random, chosen)
                : chosen.With(domain.Name, SingleValue(domain));
        }
        return chosen;
    }

    /// <summary>The estimators of good and bad over <paramref name="dimensions"/> (exposed for tests and the bench).</summary>
    public (ParzenEstimator Good, ParzenEstimator Bad) Estimators(IReadOnlyList<TpeDimension> dimensions, TpeSplit split) =>
        (new ParzenEstimator(dimensions, Observations(dimensions, split.Good), Settings),
         new ParzenEstimator(dimensions, Observations(dimensions, split.Bad), Settings));

    /// <summary>Index of the candidate with the largest log l(x) − log g(x); the first of equals.</summary>
    public static int BestCandidate(double[][] candidates, ParzenEstimator good, ParzenEstimator bad)
    {
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < candidates.Length; i++)
        {
            var score = good.LogPdf(candidates[i]) - bad.LogPdf(candidates[i]);
            if (score > bestScore) (best, bestScore) = (i, score);
        }
        return best;
    }

    private ParameterSet Choose(IReadOnlyList<TpeDimension> dimensions, TpeSplit split, SplitMix64 random, ParameterSet chosen)
    {
        var (good, bad) = Estimators(dimensions, split);
        var candidates = good.Sample(random, Settings.Candidates);
        var winner = candidates[BestCandidate(candidates, good, bad)];
        for (var d = 0; d < dimensions.Count; d++) chosen = chosen.With(dimensions[d].Name, dimensions[d].ToExternal(winner[d]));
        return chosen;
    }

    /// <summary>
    /// The observations of the configs that have every one of the dimensions: a conditional parameter's
    /// estimators are fitted only on the configs where it was present (Optuna's _get_internal_repr).
    /// </summary>
    private static List<double[]> Observations(IReadOnlyList<TpeDimension> dimensions, IReadOnlyList<TrialConfig> configs) =>
        configs.Where(c => dimensions.All(d => c.Parameters.Values.ContainsKey(d.Name)))
            .Select(c => dimensions.Select(d => d.ToInternal(c.Parameters[d.Name])).ToArray()).ToList();

    private ParameterDomain Domain(string name) => _space.Parameters.First(d => d.Name == name);

    private static ParamValue SingleValue(ParameterDomain domain) => domain switch
    {
        FixedDomain f => f.Value,
        ChoiceDomain c => c.Choices[0],
        UniformDomain u => ParamValue.Of(u.Min),
        LogUniformDomain l => ParamValue.Of(l.Min),
        IntRangeDomain r => ParamValue.Of(r.Min),
        _ => throw new ArgumentException($"unknown domain kind {domain.GetType().Name}", nameof(domain)),
    };
}
