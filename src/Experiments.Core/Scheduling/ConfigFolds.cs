using Experiments.Core.Search;
using Experiments.Core.Trials;

namespace Experiments.Core.Scheduling;

/// <summary>
/// One config's folds as the record has them. A config pruned on any fold runs no further folds (it
/// is pruned for the sweep); early-stopped, failed or diverged folds do not close it.
/// </summary>
public sealed class ConfigFolds(SweepRecord record, int folds)
{
    public bool IsPruned(int configId) => Outcomes(configId).Any(o => o.Status == TrialStatus.Pruned);

    /// <summary>No fold left to run: pruned, or every fold ended.</summary>
    public bool IsDone(int configId) => IsPruned(configId) || NextFold(configId) is null;

    /// <summary>The first fold without an outcome, or null when none is left or the config is pruned.</summary>
    public int? NextFold(int configId) => OpenFolds(configId).Select(f => (int?)f).FirstOrDefault();

    /// <summary>Every fold without an outcome, in order; none when the config is pruned.</summary>
    public IEnumerable<int> OpenFolds(int configId)
    {
        if (IsPruned(configId)) yield break;
        for (var fold = 0; fold < folds; fold++)
            if (record.OutcomeOf(new TrialKey(configId, fold)) is null) yield return fold;
    }

    /// <summary>Folds that will never run: those a pruned config did not reach.</summary>
    public int Skipped(int configId) => IsPruned(configId) ? folds - Outcomes(configId).Count() : 0;

    /// <summary>What the search is told of a config that is done.</summary>
    public ConfigResult ResultOf(int configId)
    {
        var outcomes = Outcomes(configId).ToList();
        var values = outcomes.Where(o => o.Status.HasResult() && o.BestMetric is not null).Select(o => o.BestMetric!.Value).ToList();
        var outcome = outcomes.Any(o => o.Status == TrialStatus.Pruned) ? ConfigOutcome.Pruned
            : values.Count == 0 ? ConfigOutcome.Failed
            : ConfigOutcome.Completed;
        var step = outcomes.Count == 0 ? 0 : outcomes.MaxBy(o => o.Key.Fold)!.EpochsRun;
        return new ConfigResult(configId, outcome, values.Count > 0 ? values.Average() : null, step);
    }

    private IEnumerable<TrialOutcome> Outcomes(int configId)
    {
        for (var fold = 0; fold < folds; fold++)
            if (record.OutcomeOf(new TrialKey(configId, fold)) is { } outcome) yield return outcome;
    }
}
