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
    /// <summary>
    /// <paramref name="SpecJson"/>: the resolved spec, so that a sweep killed after "accepted" and
    /// before its own first journal entry still resumes. Null in events of earlier versions.
    /// </summary>
    public sealed record SweepOpened(string Name, string PersistenceId, string? SpecJson = null) : ISweepManagerEvent;
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
/// Faults: it never waits on a child (a sweep list gathers replies off its mailbox and names the
/// sweeps that did not answer in time); whoever waits on a sweep is told when the sweep's
/// supervisor or the manager itself stops (<see cref="SweepProtocol.SweepInterrupted"/>).
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
    private readonly IActorRef? _workQueue;
    private readonly Dictionary<string, SweepManagerEvents.SweepOpened> _open = new();
    private readonly Dictionary<string, IActorRef> _active = new();
    private readonly Dictionary<string, List<IActorRef>> _waiters = new();
    private readonly Dictionary<string, SweepSummary> _ended = new();
    /// <summary>The journal of each ended sweep, read back for its detail (<see cref="SweepReplay"/>).</summary>
    private readonly Dictionary<string, string> _endedJournals = new();
    /// <summary>Specs submitted again for a sweep being resumed: a supervisor that finds nothing to resume starts from it.</summary>
    private readonly Dictionary<string, SpecText> _resubmitted = new();
    /// <summary>Sweeps whose supervisor found nothing to resume and is being stopped.</summary>
    private readonly HashSet<string> _notStarted = new();
    private readonly TimeSpan _statusTimeout;
    private bool _adoptedLegacy;

    public override string PersistenceId { get; }

    /// <summary>Each host's manager journals under its own id, so hosts sharing one database never collide.</summary>
    public static string PersistenceIdOf(string hostId) => "sweep-manager-" + hostId;

    /// <param name="hostId">who this host is in a shared journal; stable across restarts (Experiments.Host's HostIdentity).</param>
    /// <param name="workQueue">In a cluster, the coordinator's WorkQueue: every trial-fold then runs in a slot that pulls it; null on one machine.</param>
    public static Props Props(string resultsRoot, IActorRef datasets, ITrainerFactory factory, string hostId = DefaultHostId, IActorRef? workQueue = null) =>
        Akka.Actor.Props.Create(() => new SweepManager(resultsRoot, datasets, factory, hostId, workQueue));

    public SweepManager(string resultsRoot, IActorRef datasets, ITrainerFactory factory, string hostId, IActorRef? workQueue)
    {
        _workQueue = workQueue;
        _resultsRoot = resultsRoot;
        _datasets = datasets;
        _factory = factory;
        PersistenceId = PersistenceIdOf(hostId);
        _statusTimeout = Context.System.Settings.Config.GetTimeSpan("experiments.sweep-manager.status-timeout", TimeSpan.FromSeconds(5));
        Recover<SweepManagerEvents.SweepOpened>(e => _open[e.Name] = e);
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
        foreach (var opened in _open.Values)
        {
            _log.Info("Resuming sweep {SweepId} from the journal", opened.Name);
            StartSupervisor(opened.Name, opened.PersistenceId, opened.SpecJson is { } json ? SpecText.Read(json) : null);
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
                        _open[o.Name] = o;
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
        Command<SweepProtocol.SubmitSweep>(submit => Open(SpecText.Of(submit.Spec), Sender, waitForEnd: false));
        Command<SweepProtocol.RunSweep>(run => Open(SpecText.Of(run.Spec), Sender, waitForEnd: true));
        Command<SweepProtocol.SweepCompleted>(completed =>
        {
            var name = completed.Summary.Name;
            _ended[name] = completed.Summary;
            _resubmitted.Remove(name);
            if (_open.TryGetValue(name, out var opened)) _endedJournals[name] = opened.PersistenceId;
            if (_active.Remove(name, out var supervisor))
            {
                Context.Unwatch(supervisor);
                // A PoisonPill, not Context.Stop: it queues behind the questions already forwarded (or
                // stashed while the sweep journalled its end), which the ended sweep still answers;
                // a stop would drop them and leave their askers waiting for a timeout.
                supervisor.Tell(PoisonPill.Instance);
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
        Command<SweepDetailProtocol.GetDetail>(query =>
        {
            if (_active.TryGetValue(query.Name, out var supervisor)) supervisor.Forward(query);
            else if (_ended.TryGetValue(query.Name, out var summary) && _endedJournals.TryGetValue(query.Name, out var journal))
                Context.ActorOf(SweepReplay.Props(journal, summary, Sender));
            else Sender.Tell(new SweepProtocol.UnknownSweep(query.Name));
        });
        Command<SweepProtocol.Cancel>(cancel =>
        {
            if (_active.TryGetValue(cancel.Name, out var supervisor)) supervisor.Forward(cancel);
            else Sender.Tell(new SweepProtocol.UnknownSweep(cancel.Name));
        });
        Command<SweepProtocol.ListSweeps>(_ => ListSweeps(Sender));
        Command<SweepProtocol.SweepNotStarted>(notStarted =>
        {
            _notStarted.Add(notStarted.Name);
            Context.Stop(Sender); // what comes next is decided once it is gone (its name is free again)
        });
        Command<Terminated>(terminated =>
        {
            var name = _active.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
            if (name is null) return;
            _active.Remove(name);
            if (_notStarted.Remove(name))
            {
                NothingToResume(name);
                return;
            }
            _resubmitted.Remove(name);
            _log.Error("Sweep {SweepId} stopped unexpectedly", name);
            TellWaiters(name, "its supervisor stopped unexpectedly (see the log)");
        });
    }

    /// <summary>
    /// Gathers every running sweep's status off the mailbox (PipeTo): a sweep that does not answer
    /// within the status timeout is listed as not responding; the manager never waits on it.
    /// </summary>
    private void ListSweeps(IActorRef requester)
    {
        var ended = _ended.Values.Where(s => !_active.ContainsKey(s.Name)).Select(StatusOf).ToList();
        var active = _active.Select(kv => StatusOrSilence(kv.Key, kv.Value)).ToList();
        Task.WhenAll(active)
            .ContinueWith(t => new SweepProtocol.SweepList(t.Result.Concat(ended).OrderBy(s => s.Name, StringComparer.Ordinal).ToImmutableArray()),
                TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(requester);
    }

    private Task<SweepProtocol.SweepStatus> StatusOrSilence(string name, IActorRef supervisor) =>
        supervisor.Ask<SweepProtocol.SweepStatus>(new SweepProtocol.GetStatus(name), _statusTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : new SweepProtocol.SweepStatus(name, SweepStates.NotResponding, 0, 0, 0, []),
                TaskContinuationOptions.ExecuteSynchronously);

    /// <summary>
    /// An open sweep whose own journal is empty: a host of an earlier version was killed after
    /// "accepted" and before the sweep's first entry. Started afresh when its spec was submitted
    /// again meanwhile, else closed (submitting it again runs it).
    /// </summary>
    private void NothingToResume(string name)
    {
        if (_resubmitted.Remove(name, out var spec))
        {
            _log.Warning("Sweep {SweepId} was accepted but the host stopped before its first journal entry; starting it afresh", name);
            Persist(new SweepManagerEvents.SweepOpened(name, SweepSupervisor.PersistenceIdOf(spec), spec.Json), e =>
            {
                _open[e.Name] = e;
                StartSupervisor(e.Name, e.PersistenceId, spec);
            });
            return;
        }
        _log.Warning("Sweep {SweepId} was accepted but the host stopped before its first journal entry; closed: submit it again to run it", name);
        Persist(new SweepManagerEvents.SweepClosed(name), e => _open.Remove(e.Name));
    }

    private void TellWaiters(string name, string reason)
    {
        if (!_waiters.Remove(name, out var waiters)) return;
        foreach (var waiter in waiters) waiter.Tell(new SweepProtocol.SweepInterrupted(name, reason));
    }

    /// <summary>Also runs before a restart (Akka's PreRestart calls it): nobody waiting is forgotten.</summary>
    protected override void PostStop()
    {
        foreach (var name in _waiters.Keys.ToList())
            TellWaiters(name, "the sweep manager stopped before the sweep ended (see the log)");
        base.PostStop();
    }

    /// <summary>The spec was serialised once, as it came in: that text is journalled here, by the sweep, and is spec.json.</summary>
    private void Open(SpecText spec, IActorRef requester, bool waitForEnd)
    {
        var persistenceId = SweepSupervisor.PersistenceIdOf(spec);
        if (_active.ContainsKey(spec.Name))
        {
            if (_open.GetValueOrDefault(spec.Name)?.PersistenceId != persistenceId)
            {
                requester.Tell(new SweepProtocol.SweepRejected(spec.Name, $"a sweep named '{spec.Name}' is already running with another spec"));
                return;
            }
            // The same sweep again (e.g. `run` after a restart resumed it): join it.
            _resubmitted[spec.Name] = spec;
            if (waitForEnd) Waiters(spec.Name).Add(requester);
            else requester.Tell(new SweepProtocol.SweepAccepted(spec.Name));
            return;
        }
        Persist(new SweepManagerEvents.SweepOpened(spec.Name, persistenceId, spec.Json), e =>
        {
            _open[e.Name] = e;
            _ended.Remove(e.Name);
            StartSupervisor(e.Name, e.PersistenceId, spec);
            _log.Info("Sweep {SweepId} accepted", e.Name);
            if (waitForEnd) Waiters(e.Name).Add(requester);
            else requester.Tell(new SweepProtocol.SweepAccepted(e.Name));
        });
    }

    private List<IActorRef> Waiters(string name) => _waiters.TryGetValue(name, out var list) ? list : _waiters[name] = [];

    private void StartSupervisor(string name, string persistenceId, SpecText? spec)
    {
        var supervisor = Context.ActorOf(SweepSupervisor.Props(persistenceId, name, spec, _resultsRoot, _datasets, _factory, _workQueue), "sweep-" + name);
        Context.Watch(supervisor);
        _active[name] = supervisor;
    }

    private static SweepProtocol.SweepStatus StatusOf(SweepSummary s) => new(s.Name, s.State, s.TrialFolds, s.TrialFolds, 0, s.Leaderboard, s.Failed);
}
