using Experiments.Core.Spec;

namespace Experiments.Core.Search.Tpe;

/// <summary>A config that has been told: what was asked and how it ended.</summary>
public sealed record ToldConfig(TrialConfig Config, ConfigResult Result);

/// <summary>The observations of the good density l(x) and of the bad density g(x), each in config-id order.</summary>
public sealed record TpeSplit(IReadOnlyList<TrialConfig> Good, IReadOnlyList<TrialConfig> Bad);

/// <summary>Optuna's rules for which observations count and how much (sampler.py, v4.9).</summary>
public static class TpeRules
{
    /// <summary>
    /// Optuna's default_weights: 1 each for fewer than 25 observations; beyond that the newest 25
    /// weigh 1 and the older ones ramp linearly from 1/n up (numpy's linspace(1/n, 1, n − 25)).
    /// </summary>
    public static double[] ObservationWeights(int n)
    {
        if (n < 25) return Enumerable.Repeat(1.0, n).ToArray();
        var rampLength = n - 25;
        var weights = Enumerable.Repeat(1.0, n).ToArray();
        var start = 1.0 / n;
        var step = rampLength > 1 ? (1.0 - start) / (rampLength - 1) : 0;
        for (var i = 0; i < rampLength; i++) weights[i] = i == rampLength - 1 && rampLength > 1 ? 1.0 : start + i * step;
        return weights;
    }

    /// <summary>Whether a told config is an observation: completed with a number (a NaN score fails, as in Optuna) or pruned.</summary>
    public static bool Counts(ConfigResult result) => result.Outcome switch
    {
        ConfigOutcome.Completed => result.Score is { } score && !double.IsNaN(score),
        ConfigOutcome.Pruned => true,
        _ => false,
    };

    /// <summary>
    /// Optuna's _split_trials for one objective: the best <paramref name="goodCount"/> completed configs
    /// are good (ties broken by config id); if fewer completed than that, the pruned fill up, ranked by
    /// the step they reached (further is better), then by the value reached there (a pruned config that
    /// reported nothing ranks last). Everything else is bad, and so is each config in flight (the
    /// constant liar: it weighs against its own neighbourhood until its result is told).
    /// </summary>
    public static TpeSplit Split(IEnumerable<ToldConfig> told, IEnumerable<TrialConfig> inFlight, int goodCount, OptimizationMode direction)
    {
        var observations = told.Where(t => Counts(t.Result)).OrderBy(t => t.Config.Id).ToList();
        var completed = observations.Where(t => t.Result.Outcome == ConfigOutcome.Completed)
            .OrderBy(t => direction == OptimizationMode.Min ? t.Result.Score!.Value : -t.Result.Score!.Value).ToList();
        var pruned = observations.Where(t => t.Result.Outcome == ConfigOutcome.Pruned)
            .OrderBy(t => PrunedRank(t.Result, direction)).ToList();

        var goodCompleted = Math.Min(goodCount, completed.Count);
        var goodPruned = Math.Min(goodCount - goodCompleted, pruned.Count);
        var good = completed.Take(goodCompleted).Concat(pruned.Take(goodPruned)).Select(t => t.Config);
        var bad = completed.Skip(goodCompleted).Concat(pruned.Skip(goodPruned)).Select(t => t.Config).Concat(inFlight);
        return new TpeSplit(good.OrderBy(c => c.Id).ToList(), bad.OrderBy(c => c.Id).ToList());
    }

    /// <summary>Optuna's _get_pruned_trial_score: (−step, value towards min), (−step, +∞) for NaN, (1, 0) with no value.</summary>
    private static (double, double) PrunedRank(ConfigResult result, OptimizationMode direction) => result.Score switch
    {
        null => (1, 0),
        { } v when double.IsNaN(v) => (-result.Step, double.PositiveInfinity),
        { } v => (-result.Step, direction == OptimizationMode.Min ? v : -v),
    };
}
