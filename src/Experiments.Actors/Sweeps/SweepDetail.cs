using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Experiments.Core.Scheduling;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// Everything journalled about one sweep, for read-only views (serve's dashboard): its leaderboard
/// and every trial-fold's epochs and outcome. Asked of the manager by name like GetStatus.
/// </summary>
public static class SweepDetailProtocol
{
    public sealed record GetDetail(string Name);

    public sealed record SweepDetail(
        string Name, string State, string Metric, OptimizationMode Mode, string ResultsDirectory,
        ImmutableArray<LeaderboardRow> Leaderboard, ImmutableArray<TrialHistory> Trials);

    /// <summary>
    /// One trial-fold as journalled: its epochs in order, once it ended its outcome, and its node:
    /// the one it runs on, or ended on (null while it waits for a slot, or when its journal predates
    /// the node's event).
    /// </summary>
    public sealed record TrialHistory(TrialKey Key, ImmutableArray<EpochMetrics> Epochs, TrialOutcome? Outcome, string? Node);

    /// <summary>Every trial-fold started or reported, in config then fold order (the final retrain last for its config).</summary>
    /// <param name="waiting">Running trial-folds that no slot has taken since this host started or since their node was lost: no node shown.</param>
    public static ImmutableArray<TrialHistory> Histories(SweepState state, IReadOnlySet<TrialKey>? waiting = null)
    {
        var record = state.Record;
        return record.Started.Concat(record.TrialsWithHistory).Concat(record.Outcomes.Keys).Distinct()
            .OrderBy(k => k.ConfigId).ThenBy(k => k.IsFinal ? int.MaxValue : k.Fold)
            .Select(k => new TrialHistory(k, [.. record.Epochs(k)], record.OutcomeOf(k),
                waiting is not null && waiting.Contains(k) && record.OutcomeOf(k) is null ? null : state.NodeOf(k)))
            .ToImmutableArray();
    }
}

/// <summary>
/// Reads an ended sweep back from its journal (its supervisor is gone), answers one
/// <see cref="SweepDetailProtocol.SweepDetail"/> and stops. It never writes.
/// Supervision: it has no children; if its journal cannot be read its recovery fails, it stops,
/// and the asker's timeout tells the user.
/// </summary>
public sealed class SweepReplay : ReceivePersistentActor
{
    private readonly SweepState _state = new();

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, SweepSummary summary, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new SweepReplay(persistenceId, summary, requester));

    public SweepReplay(string persistenceId, SweepSummary summary, IActorRef requester)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(offer => _state.Apply((SweepEvents.SweepSnapshot)offer.Snapshot));
        Recover<ISweepEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            requester.Tell(new SweepDetailProtocol.SweepDetail(summary.Name, summary.State, summary.Metric, summary.Mode,
                summary.ResultsDirectory, summary.Leaderboard, SweepDetailProtocol.Histories(_state)));
            Context.Stop(Self);
        });
        CommandAny(_ => { });
    }
}
