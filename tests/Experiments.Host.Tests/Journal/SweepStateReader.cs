using Akka.Actor;
using Akka.Persistence;
using Experiments.Actors.Sweeps;

namespace Experiments.Host.Tests.Journal;

/// <summary>
/// Recovers one sweep's journal into a <see cref="SweepState"/> (its snapshot and the events after
/// it, or the events alone) and sends the state to whoever asks for it. It can also save a
/// snapshot of what it recovered, which is how the fixtures got theirs.
/// </summary>
public sealed class SweepStateReader : ReceivePersistentActor
{
    public sealed record GetState;
    public sealed record Recovered(SweepState State, long LastSequenceNr, bool FromSnapshot);
    public sealed record SaveSnapshotNow;

    private readonly SweepState _state = new();
    private readonly Recovery _recovery;
    private bool _fromSnapshot;

    public override string PersistenceId { get; }
    public override Recovery Recovery => _recovery;

    /// <param name="useSnapshots">false: replay the events alone, ignoring any snapshot.</param>
    public static Props Props(string persistenceId, bool useSnapshots = true) =>
        Akka.Actor.Props.Create(() => new SweepStateReader(persistenceId, useSnapshots));

    public SweepStateReader(string persistenceId, bool useSnapshots)
    {
        PersistenceId = persistenceId;
        _recovery = new Recovery(useSnapshots ? SnapshotSelectionCriteria.Latest : SnapshotSelectionCriteria.None);
        Recover<SnapshotOffer>(offer =>
        {
            _fromSnapshot = true;
            _state.Apply((SweepEvents.SweepSnapshot)offer.Snapshot);
        });
        Recover<ISweepEvent>(e => _state.Apply(e));
        Command<GetState>(_ => Sender.Tell(new Recovered(_state, LastSequenceNr, _fromSnapshot)));
        Command<SaveSnapshotNow>(_ =>
        {
            SaveSnapshot(_state.ToSnapshot());
            var requester = Sender;
            Become(() =>
            {
                Command<SaveSnapshotSuccess>(success => requester.Tell(success));
                Command<SaveSnapshotFailure>(failure => requester.Tell(failure));
            });
        });
    }
}
