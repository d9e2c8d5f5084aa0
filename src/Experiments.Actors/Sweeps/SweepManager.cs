using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Experiments.Core.Spec;
using Experiments.Training;

namespace Experiments.Actors.Sweeps;

/// <summary>What the SweepManager journals (written by the journal serializer, see JournalContracts).</summary>
public interface ISweepManagerEvent;

/// <summary>What the SweepManager journals: which sweeps are open, so a restarted host resumes them.</summary>
public static class SweepManagerEvents
{
    public sealed record SweepOpened(string Name, string PersistenceId) : ISweepManagerEvent;
    public sealed record SweepClosed(string Name) : ISweepManagerEvent;

    /// <summary>The open sweeps of the journal <paramref name="From"/> (the fixed id of earlier versions) are this host's now: journalled as SweepOpened before this.</summary>
    public sealed record LegacySweepsAdopted(string From) : ISweepManagerEvent;

    /// <summary>In the legacy journal: its open sweeps were handed over to host <paramref name="HostId"/>.</summary>
    public sealed record LegacySweepsHandedOver(string HostId) : ISweepManagerEvent;
}

/// <summary>
/// /user/sweeps: accepts sweep specs and runs each as a child SweepSupervisor named sweep-NAME.
/// Event-sourced, one journal per host (<see cref="PersistenceIdOf"/>): at start it resumes every
/// sweep that was open when the host stopped or died. Hosts sharing one database never see each
/// other's managers; the first start of a host also adopts the open sweeps of the fixed-id
/// journal of earlier versions (<see cref="LegacyManagerJournal"/>), once, for one host.
/// A name in use with another spec is rejected; the same spec again joins the running sweep.
/// Supervision: a SweepSupervisor that throws is stopped, never restarted mid-sweep with half
/// its state; the other sweeps are untouched.
/// </summary>
public sealed class SweepManager : ReceivePersistentActor
{
    public const string Name = "sweeps";

    /// <summary>The host id of tests and of a host that names none.</summary>
    public const string DefaultHostId = "local";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _resultsRoot;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly Dictionary<string, string> _open = new(); // name → persistence id
    private readonly Dictionary<string, IActorRef> _active = new();
    private readonly Dictionary<string, List<IActorRef>> _waiters = new();
    private readonly Dictionary<string, SweepSummary> _ended = new();
    private bool _adoptedLegacy;

    public override string PersistenceId { get; }

    /// <summary>Each host's manager journals under its own id, so hosts sharing one database never collide.</summary>
    public static string PersistenceIdOf(string hostId) => "sweep-manager-" + hostId;

    /// <param name="hostId">who this host is in a shared journal; stable across restarts (Experiments.Host's HostIdentity).</param>
    public static Props Props(string resultsRoot, IActorRef datasets, ITrainerFactory factory, string hostId = DefaultHostId) =>
        Akka.Actor.Props.Create(() => new SweepManager(resultsRoot, datasets, factory, hostId));

    public SweepManager(string resultsRoot, IActorRef datasets, ITrainerFactory factory, string hostId)
    {
        _resultsRoot = resultsRoot;
        _datasets = datasets;
        _factory = factory;
        PersistenceId = PersistenceIdOf(hostId);
        Recover<SweepManagerEvents.SweepOpened>(e => _open[e.Name] = e.PersistenceId);
        Recover<SweepManagerEvents.SweepClosed>(e => _open.Remove(e.Name));
        Recover<SweepManagerEvents.LegacySweepsAdopted>(_ => _adoptedLegacy = true);
        Recover<RecoveryCompleted>(_ =>
        {
            if (_adoptedLegacy) ResumeOpenSweeps();
            else AdoptLegacySweeps(hostId);
        });
        Accepting();
    }

    private void ResumeOpenSweeps()
    {
        foreach (var (name, persistenceId) in _open)
        {
            _log.Info("Resuming sweep {SweepId} from the journal", name);
            StartSupervisor(name, persistenceId, spec: null);
        }
    }

    /// <summary>Until the legacy journal has answered, commands wait; then its open sweeps are journalled as this host's.</summary>
    private void AdoptLegacySweeps(string hostId)
    {
        var legacy = Context.Watch(Context.ActorOf(LegacyManagerJournal.Props(hostId), "legacy-journal"));
        Become(() =>
        {
            Command<LegacyManagerJournal.Adopt>(adopt =>
            {
                Context.Unwatch(legacy);
                var opened = adopt.Open.Where(kv => !_open.ContainsKey(kv.Key))
                    .Select(kv => (object)new SweepManagerEvents.SweepOpened(kv.Key, kv.Value));
                PersistAll(opened.Append(new SweepManagerEvents.LegacySweepsAdopted(LegacyManagerJournal.LegacyPersistenceId)), e =>
                {
                    if (e is SweepManagerEvents.SweepOpened o)
                    {
                        _open[o.Name] = o.PersistenceId;
                        _log.Info("Sweep {SweepId} adopted from the journal of {PersistenceId}", o.Name, LegacyManagerJournal.LegacyPersistenceId);
                        return;
                    }
                    _adoptedLegacy = true;
                    ResumeOpenSweeps();
                    BecomeAccepting();
                });
            });
            Command<Terminated>(t => t.ActorRef.Equals(legacy), _ =>
            {
                // Another host took the legacy journal's sweeps at the same moment, or it cannot be read: the next start asks again.
                _log.Warning("The journal {PersistenceId} of an earlier version could not be handed over; carrying on without it", LegacyManagerJournal.LegacyPersistenceId);
                ResumeOpenSweeps();
                BecomeAccepting();
            });
            CommandAny(_ => Stash.Stash());
        });
    }

    private void BecomeAccepting()
    {
        Become(Accepting);
        Stash.UnstashAll();
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Stop);

    private void Accepting()
    {
        Command<SweepProtocol.SubmitSweep>(submit => Open(submit.Spec, Sender, waitForEnd: false));
        Command<SweepProtocol.RunSweep>(run => Open(run.Spec, Sender, waitForEnd: true));
        Command<SweepProtocol.SweepCompleted>(completed =>
        {
            var name = completed.Summary.Name;
            _ended[name] = completed.Summary;
            if (_active.Remove(name, out var supervisor))
            {
                Context.Unwatch(supervisor);
                Context.Stop(supervisor);
            }
            if (_open.ContainsKey(name)) Persist(new SweepManagerEvents.SweepClosed(name), e => _open.Remove(e.Name));
            if (_waiters.Remove(name, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(completed);
        });
        Command<SweepProtocol.GetStatus>(query =>
        {
            if (_active.TryGetValue(query.Name, out var supervisor)) supervisor.Forward(query);
            else if (_ended.TryGetValue(query.Name, out var summary)) Sender.Tell(StatusOf(summary));
            else Sender.Tell(new SweepProtocol.UnknownSweep(query.Name));
        });
        Command<SweepProtocol.Cancel>(cancel =>
        {
            if (_active.TryGetValue(cancel.Name, out var supervisor)) supervisor.Forward(cancel);
            else Sender.Tell(new SweepProtocol.UnknownSweep(cancel.Name));
        });
        CommandAsync<SweepProtocol.ListSweeps>(async _ =>
        {
            var sender = Sender;
            var active = await Task.WhenAll(_active.Select(kv => kv.Value.Ask<SweepProtocol.SweepStatus>(new SweepProtocol.GetStatus(kv.Key), TimeSpan.FromSeconds(10))));
            var ended = _ended.Values.Where(s => !_active.ContainsKey(s.Name)).Select(StatusOf);
            sender.Tell(new SweepProtocol.SweepList(active.Concat(ended).OrderBy(s => s.Name, StringComparer.Ordinal).ToImmutableArray()));
        });
        Command<Terminated>(terminated =>
        {
            var name = _active.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
            if (name is null) return;
            _active.Remove(name);
            _log.Error("Sweep {SweepId} stopped unexpectedly", name);
            if (_waiters.Remove(name, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(new Status.Failure(new InvalidOperationException($"sweep '{name}' stopped unexpectedly")));
        });
    }

    private void Open(SweepSpec spec, IActorRef requester, bool waitForEnd)
    {
        var persistenceId = SweepSupervisor.PersistenceIdOf(spec);
        if (_active.ContainsKey(spec.Name))
        {
            if (_open.GetValueOrDefault(spec.Name) != persistenceId)
            {
                requester.Tell(new SweepProtocol.SweepRejected(spec.Name, $"a sweep named '{spec.Name}' is already running with another spec"));
                return;
            }
            // The same sweep again (e.g. `run` after a restart resumed it): join it.
            if (waitForEnd) Waiters(spec.Name).Add(requester);
            else requester.Tell(new SweepProtocol.SweepAccepted(spec.Name));
            return;
        }
        Persist(new SweepManagerEvents.SweepOpened(spec.Name, persistenceId), e =>
        {
            _open[e.Name] = e.PersistenceId;
            _ended.Remove(e.Name);
            StartSupervisor(e.Name, e.PersistenceId, spec);
            _log.Info("Sweep {SweepId} accepted", e.Name);
            if (waitForEnd) Waiters(e.Name).Add(requester);
            else requester.Tell(new SweepProtocol.SweepAccepted(e.Name));
        });
    }

    private List<IActorRef> Waiters(string name) => _waiters.TryGetValue(name, out var list) ? list : _waiters[name] = [];

    private void StartSupervisor(string name, string persistenceId, SweepSpec? spec)
    {
        var supervisor = Context.ActorOf(SweepSupervisor.Props(persistenceId, name, spec, _resultsRoot, _datasets, _factory), "sweep-" + name);
        Context.Watch(supervisor);
        _active[name] = supervisor;
    }

    private static SweepProtocol.SweepStatus StatusOf(SweepSummary s) => new(s.Name, s.State, s.TrialFolds, s.TrialFolds, 0, s.Leaderboard);
}
