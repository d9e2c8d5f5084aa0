using System.Collections.Immutable;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>Between the journal's plain events and the domain's records, one way each, written once.</summary>
public static class SweepEventMapping
{
    public static SweepEvents.TrialEnded ToEvent(this TrialOutcome o) =>
        new(o.Key.ConfigId, o.Key.Fold, o.Status, o.EpochsRun, o.BestMetric, o.BestEpoch, o.Reason);

    public static TrialOutcome ToOutcome(this SweepEvents.TrialEnded e) =>
        new(new TrialKey(e.ConfigId, e.Fold), e.Status, e.EpochsRun, e.BestMetric, e.BestEpoch, e.Reason);

    public static SweepEvents.EpochRecorded ToEvent(this EpochMetrics m, TrialKey key) =>
        new(key.ConfigId, key.Fold, m.Epoch, m.Values.ToDictionary(), m.Seconds);

    public static EpochMetrics ToMetrics(this SweepEvents.EpochRecorded e) =>
        new(e.Epoch, e.Metrics.ToImmutableSortedDictionary(), e.Seconds);

    public static TrialKey Key(this SweepEvents.EpochRecorded e) => new(e.ConfigId, e.Fold);

    public static TrialKey Key(this SweepEvents.TrialStarted e) => new(e.ConfigId, e.Fold);

    public static TrialKey Key(this SweepEvents.TrialAssigned e) => new(e.ConfigId, e.Fold);
}
