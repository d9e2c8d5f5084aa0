using Experiments.Core.Search;
using Experiments.Core.Trials;

namespace Experiments.Core.Scheduling;

/// <summary>What a trial-fold is told after an epoch.</summary>
public enum Verdict
{
    Continue,
    /// <summary>Early stopping: the metric stagnated; the config's next fold still runs.</summary>
    Stop,
    /// <summary>Pruned: behind its lower-numbered peers; the config starts no further folds.</summary>
    Prune,
    /// <summary>Not decidable yet: a lower-numbered peer on the same fold has not reached this epoch.</summary>
    Wait,
}

/// <summary>The decision for one trial-fold after epoch <see cref="Epoch"/>.</summary>
public sealed record EpochDecision(TrialKey Key, int Epoch, Verdict Verdict, string Reason = "")
{
    /// <summary>The status the trial-fold ends with, for Stop and Prune.</summary>
    public TrialStatus? EndStatus => Verdict switch
    {
        Verdict.Stop => TrialStatus.EarlyStopped,
        Verdict.Prune => TrialStatus.Pruned,
        _ => null,
    };
}

/// <summary>
/// A trial-fold to start: its config, its seed (a function of sweep seed, config and fold) and its
/// epoch budget. <see cref="Resumes"/>: it was started before (a restart), so it continues from its checkpoint.
/// </summary>
public sealed record TrialLaunch(TrialKey Key, TrialConfig Config, int Seed, int MaxEpochs, bool Resumes);
