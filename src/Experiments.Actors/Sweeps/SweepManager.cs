using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Experiments.Training;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// /user/sweeps: accepts sweep specs and runs each as a child SweepSupervisor named sweep-NAME.
/// Remembers ended sweeps' summaries for status queries. A name in use is rejected.
/// Supervision: a SweepSupervisor that throws is stopped, never restarted mid-sweep with
/// half its state; the others are untouched.
/// </summary>
public sealed class SweepManager : ReceiveActor
{
    public const string Name = "sweeps";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _resultsRoot;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly Dictionary<string, IActorRef> _active = new();
    private readonly Dictionary<string, List<IActorRef>> _waiters = new();
    private readonly Dictionary<string, SweepSummary> _ended = new();

    public static Props Props(string resultsRoot, IActorRef datasets, ITrainerFactory factory) =>
        Akka.Actor.Props.Create(() => new SweepManager(resultsRoot, datasets, factory));

    public SweepManager(string resultsRoot, IActorRef datasets, ITrainerFactory factory)
    {
        _resultsRoot = resultsRoot;
        _datasets = datasets;
        _factory = factory;
        Accepting();
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Stop);

    private void Accepting()
    {
        Receive<SweepProtocol.SubmitSweep>(submit => Sender.Tell(Start(submit.Spec)));
        Receive<SweepProtocol.RunSweep>(run =>
        {
            var reply = Start(run.Spec);
            if (reply is SweepProtocol.SweepAccepted) _waiters[run.Spec.Name] = [Sender];
            else Sender.Tell(reply);
        });
        Receive<SweepProtocol.SweepCompleted>(completed =>
        {
            var name = completed.Summary.Name;
            _ended[name] = completed.Summary;
            if (_active.Remove(name, out var supervisor))
            {
                Context.Unwatch(supervisor);
                Context.Stop(supervisor);
            }
            if (_waiters.Remove(name, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(completed);
        });
        Receive<SweepProtocol.GetStatus>(query =>
        {
            if (_active.TryGetValue(query.Name, out var supervisor)) supervisor.Forward(query);
            else if (_ended.TryGetValue(query.Name, out var summary))
                Sender.Tell(new SweepProtocol.SweepStatus(summary.Name, summary.State, summary.TrialFolds, summary.TrialFolds, 0, summary.Leaderboard));
            else Sender.Tell(new SweepProtocol.UnknownSweep(query.Name));
        });
        Receive<SweepProtocol.Cancel>(cancel =>
        {
            if (_active.TryGetValue(cancel.Name, out var supervisor)) supervisor.Forward(cancel);
            else Sender.Tell(new SweepProtocol.UnknownSweep(cancel.Name));
        });
        ReceiveAsync<SweepProtocol.ListSweeps>(async _ =>
        {
            var sender = Sender;
            var active = await Task.WhenAll(_active.Values.Select(s => s.Ask<SweepProtocol.SweepStatus>(new SweepProtocol.GetStatus(""), TimeSpan.FromSeconds(5))));
            var ended = _ended.Values.Select(s => new SweepProtocol.SweepStatus(s.Name, s.State, s.TrialFolds, s.TrialFolds, 0, s.Leaderboard));
            sender.Tell(new SweepProtocol.SweepList(active.Concat(ended).OrderBy(s => s.Name, StringComparer.Ordinal).ToImmutableArray()));
        });
        Receive<Terminated>(terminated =>
        {
            var name = _active.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
            if (name is null) return;
            _active.Remove(name);
            _log.Error("Sweep {SweepId} stopped unexpectedly", name);
            if (_waiters.Remove(name, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(new Status.Failure(new InvalidOperationException($"sweep '{name}' stopped unexpectedly")));
        });
    }

    private object Start(Core.Spec.SweepSpec spec)
    {
        if (_active.ContainsKey(spec.Name)) return new SweepProtocol.SweepRejected(spec.Name, $"a sweep named '{spec.Name}' is already running");
        _ended.Remove(spec.Name);
        var supervisor = Context.ActorOf(SweepSupervisor.Props(spec, _resultsRoot, _datasets, _factory), "sweep-" + spec.Name);
        Context.Watch(supervisor);
        _active[spec.Name] = supervisor;
        _log.Info("Sweep {SweepId} accepted", spec.Name);
        return new SweepProtocol.SweepAccepted(spec.Name);
    }
}
