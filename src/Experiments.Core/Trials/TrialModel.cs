using System.Collections.Immutable;

namespace Experiments.Core.Trials;

/// <summary>Where a trial-fold stands. Terminal states never change again.</summary>
public enum TrialStatus { Pending, Running, Completed, EarlyStopped, Pruned, Failed, Diverged, Cancelled }

public static class TrialStatusExtensions
{
    public static bool IsTerminal(this TrialStatus status) => status is not (TrialStatus.Pending or TrialStatus.Running);

    /// <summary>Finished with usable metrics: ranked on the leaderboard.</summary>
    public static bool HasResult(this TrialStatus status) => status is TrialStatus.Completed or TrialStatus.EarlyStopped or TrialStatus.Pruned;

    public static string ToKebab(this TrialStatus status) => status switch
    {
        TrialStatus.EarlyStopped => "early-stopped",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>One config trained on one fold. <see cref="FinalFold"/> marks the retrain of the best config on all folds.</summary>
public readonly record struct TrialKey(int ConfigId, int Fold)
{
    public const int FinalFold = -1;
    public bool IsFinal => Fold == FinalFold;
    public string Name => IsFinal ? $"trial-{ConfigId}-final" : $"trial-{ConfigId}-fold-{Fold}";
    public override string ToString() => Name;
}

/// <summary>The metrics of one epoch, by name (train-loss, val-loss, val-accuracy, fid…), and how long it took.</summary>
public sealed record EpochMetrics(int Epoch, ImmutableSortedDictionary<string, double> Values, double Seconds)
{
    public double? Get(string metric) => Values.TryGetValue(metric, out var v) ? v : null;
}

/// <summary>How a trial-fold ended: its state, epochs run, its best value of the sweep's metric and why.</summary>
public sealed record TrialOutcome(TrialKey Key, TrialStatus Status, int EpochsRun, double? BestMetric, int? BestEpoch, string Reason);
