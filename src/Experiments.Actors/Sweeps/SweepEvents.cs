using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// What a sweep journals. Plain records of primitives (the journal stores them as JSON), each a
/// fact that has happened; <see cref="SweepState"/> is their fold.
/// </summary>
public interface ISweepEvent;

public static class SweepEvents
{
    public sealed record SweepStarted(string SpecJson) : ISweepEvent;
    public sealed record TrialStarted(int ConfigId, int Fold) : ISweepEvent;

    /// <summary>
    /// A trial-fold handed to a node (a slot of a worker or of the coordinator, or this host's own
    /// runner without a cluster), again at every hand-over (a resume after its node was lost, after
    /// a restart). <see cref="ResumesAfter"/> is the epoch of the checkpoint it was handed; null: it
    /// starts at epoch 1. Informational: for the views (which node ran it), never read by the scheduler.
    /// </summary>
    public sealed record TrialAssigned(int ConfigId, int Fold, string Node, int? ResumesAfter) : ISweepEvent;
    public sealed record EpochRecorded(int ConfigId, int Fold, int Epoch, Dictionary<string, double> Metrics, double Seconds) : ISweepEvent;
    public sealed record TrialEnded(int ConfigId, int Fold, TrialStatus Status, int EpochsRun, double? BestMetric, int? BestEpoch, string Reason) : ISweepEvent;
    public sealed record SweepEnded(string State, double? TestScore, Dictionary<string, double>? TestMetrics) : ISweepEvent;

    /// <summary>A snapshot is the compacted event list: recovery applies it like the events it replaces.</summary>
    public sealed record SweepSnapshot(List<ISweepEvent> Events) : ISweepEvent;
}
