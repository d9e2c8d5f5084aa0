using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// The journal of the SweepManager as it was before persistence ids were per host: every host
/// journalled under the one id <see cref="PersistenceId"/>. Started once by each host's manager
/// until that manager has adopted what it held: it replays the journal, and if the open sweeps
/// are nobody's yet, journals that they are handed over to this host and sends them to its
/// parent (again, should the parent ask again after a crash). Appending the hand-over is the
/// lock: when two hosts race, one append fails on the journal's unique sequence number and that
/// reader stops without answering. It then stops itself.
/// Supervision: none needed; its parent watches it and carries on without it if it dies.
/// </summary>
public sealed class LegacyManagerJournal : ReceivePersistentActor
{
    public const string LegacyPersistenceId = "sweep-manager";

    /// <summary>The open sweeps this host now owns (name → supervisor persistence id); empty if none or another host's.</summary>
    public sealed record Adopt(ImmutableSortedDictionary<string, string> Open);

    private readonly string _hostId;
    private readonly Dictionary<string, string> _open = new();
    private string? _handedTo;

    public override string PersistenceId => LegacyPersistenceId;

    public static Props Props(string hostId) => Akka.Actor.Props.Create(() => new LegacyManagerJournal(hostId));

    public LegacyManagerJournal(string hostId)
    {
        _hostId = hostId;
        Recover<SweepManagerEvents.SweepOpened>(e => _open[e.Name] = e.PersistenceId);
        Recover<SweepManagerEvents.SweepClosed>(e => _open.Remove(e.Name));
        Recover<SweepManagerEvents.LegacySweepsHandedOver>(e => _handedTo = e.HostId);
        Recover<RecoveryCompleted>(_ => HandOver());
    }

    private void HandOver()
    {
        if (_handedTo is null && _open.Count > 0)
            Persist(new SweepManagerEvents.LegacySweepsHandedOver(_hostId), _ => Answer(_open));
        else
            Answer(_handedTo == _hostId ? _open : []);
    }

    private void Answer(IEnumerable<KeyValuePair<string, string>> open)
    {
        Context.Parent.Tell(new Adopt(open.ToImmutableSortedDictionary(StringComparer.Ordinal)));
        Context.Stop(Self);
    }
}
