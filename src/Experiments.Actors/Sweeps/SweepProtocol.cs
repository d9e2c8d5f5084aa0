using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>How a sweep ended and what it found: written to summary.json and returned to whoever ran it.</summary>
public sealed record SweepSummary(
    string Name, string State, string Metric, OptimizationMode Mode, ImmutableArray<LeaderboardRow> Leaderboard,
    TrialConfig? Best, double? TestScore, IReadOnlyDictionary<string, double>? TestMetrics,
    int TrialFolds, int Failed, string ResultsDirectory)
{
    /// <summary>True when the sweep ran as declared: finished, and no trial-fold failed (crashed past its retries). Diverged trials are results.</summary>
    public bool Succeeded => State == SweepStates.Completed && Failed == 0;
}

public static class SweepStates
{
    public const string LoadingData = "loading-data";
    public const string Running = "running";
    public const string Retraining = "retraining-best";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    /// <summary>In a sweep list: the sweep did not answer in time (its journal is slow, or it is recovering).</summary>
    public const string NotResponding = "not-responding";
}

public static class SweepProtocol
{
    // To the SweepManager.
    public sealed record SubmitSweep(SweepSpec Spec);
    public sealed record SweepAccepted(string Name);
    public sealed record SweepRejected(string Name, string Reason);
    /// <summary>Submit and be told <see cref="SweepCompleted"/> when it ends (what `run` waits on).</summary>
    public sealed record RunSweep(SweepSpec Spec);
    public sealed record ListSweeps;
    public sealed record SweepList(ImmutableArray<SweepStatus> Sweeps);

    // To the manager (forwarded by name) or to a SweepSupervisor directly.
    public sealed record GetStatus(string Name);
    public sealed record Cancel(string Name);
    public sealed record UnknownSweep(string Name);

    /// <summary>Done counts every settled trial-fold (whatever its outcome); Failed those among them that crashed past their retries.</summary>
    public sealed record SweepStatus(string Name, string State, int TrialFolds, int Done, int Running, ImmutableArray<LeaderboardRow> Leaderboard, int Failed = 0);

    /// <summary>On the system event stream once an epoch is journalled (what `serve`'s /metrics counts); nobody needs to listen.</summary>
    public sealed record EpochJournalled(string Sweep, TrialKey Key, int Epoch);

    /// <summary>From a SweepSupervisor to its parent when it has ended.</summary>
    public sealed record SweepCompleted(SweepSummary Summary);

    /// <summary>
    /// To whoever waits on a sweep (<see cref="RunSweep"/>) when it stops without ending: its
    /// supervisor or the manager died. The journal keeps every finished epoch; running the same
    /// spec again resumes it.
    /// </summary>
    public sealed record SweepInterrupted(string Name, string Reason);

    /// <summary>From a SweepSupervisor recovered without a spec that found nothing in its journal: nothing to resume.</summary>
    public sealed record SweepNotStarted(string Name);
}
