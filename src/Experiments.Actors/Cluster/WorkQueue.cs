using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Experiments.Core.Trials;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// The coordinator's work queue (/user/work-queue): the trial-folds the sweeps launched and no
/// slot runs yet, the free slots that asked for work, and the workers admitted by the join
/// handshake. A trial-fold waits here until a slot asks (work is pulled), then the queue hands the
/// slot to that trial-fold's <see cref="RemoteTrial"/>, which talks to it from then on. The queue
/// never holds more than the sweeps launched, and they launch at most max-concurrent-trials each,
/// so that is the most in flight over all nodes. Slots of this process (--local-slots) need no
/// handshake. Its child <see cref="DataServer"/> ("data") serves the sweeps' own IDX files to
/// registered workers. Supervision: the user guardian's default (a restart forgets who was admitted; the
/// workers' slots ask again and are told to register).
/// </summary>
public sealed class WorkQueue : ReceiveActor
{
    private sealed record Waiting(IActorRef Proxy, string Sweep, TrialKey Key);
    private sealed record Busy(string Node, Waiting Work);
    private sealed record Worker(string Node, int Slots, IActorRef Agent);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _secret;
    private readonly string _coordinator;
    private readonly int _localSlots;
    private readonly Dictionary<Address, string> _nonces = new();
    private readonly Dictionary<Address, Worker> _workers = new();
    private readonly List<Waiting> _pending = new();
    private readonly List<(IActorRef Slot, string Node)> _idle = new();
    private readonly Dictionary<IActorRef, Busy> _busy = new();
    private IActorRef _data = ActorRefs.Nobody;

    public static Props Props(string secret, string coordinator, int localSlots) =>
        Akka.Actor.Props.Create(() => new WorkQueue(secret, coordinator, localSlots));

    public WorkQueue(string secret, string coordinator, int localSlots)
    {
        _secret = secret;
        _coordinator = coordinator;
        _localSlots = localSlots;
        Serving();
    }

    protected override void PreStart() => _data = Context.ActorOf(DataServer.Props(), "data");

    private void Serving()
    {
        Receive<DescribeData>(describe => _data.Forward(describe));
        Receive<FetchData>(fetch =>
        {
            if (!Sender.Path.Address.HasLocalScope && !_workers.ContainsKey(Sender.Path.Address))
                Sender.Tell(new FetchRefused(fetch.Sha256, "this node has not registered with the coordinator"));
            else _data.Forward(fetch);
        });
        Receive<Hello>(hello =>
        {
            var nonce = ClusterSecret.NewNonce();
            _nonces[Sender.Path.Address] = nonce;
            Sender.Tell(new Challenge(nonce));
        });
        Receive<Register>(Admit);
        Receive<Enqueue>(enqueue =>
        {
            Context.Watch(Sender);
            _pending.Add(new Waiting(Sender, enqueue.Sweep, enqueue.Key));
            Dispatch();
        });
        Receive<RequestWork>(request =>
        {
            var address = Sender.Path.Address;
            if (!address.HasLocalScope && !_workers.ContainsKey(address))
            {
                Sender.Tell(new Refused($"{request.Node} has not registered with the coordinator"));
                return;
            }
            _busy.Remove(Sender);
            _idle.RemoveAll(i => i.Slot.Equals(Sender));
            Context.Watch(Sender);
            _idle.Add((Sender, request.Node));
            Dispatch();
        });
        Receive<Terminated>(t => Forget(t.ActorRef));
        Receive<GetWorkers>(_ => Sender.Tell(Workers()));
    }

    private void Admit(Register register)
    {
        var address = Sender.Path.Address;
        if (!_nonces.Remove(address, out var nonce) || !ClusterSecret.Verify(_secret, nonce, register.Proof))
        {
            _log.Warning("Refused worker {Node} at {Address}: its cluster secret does not match", register.Node, address);
            Sender.Tell(new Refused($"the coordinator {_coordinator} refused {register.Node}: the cluster secret ({ClusterSecret.Variable}) does not match"));
            return;
        }
        _workers[address] = new Worker(register.Node, register.Slots, Sender);
        Context.Watch(Sender);
        _log.Info("Worker {Node} joined with {Slots} slot(s)", register.Node, register.Slots);
        Sender.Tell(new Welcome(_coordinator));
    }

    /// <summary>Oldest waiting trial-fold to the slot that has waited longest.</summary>
    private void Dispatch()
    {
        while (_pending.Count > 0 && _idle.Count > 0)
        {
            var work = _pending[0];
            var (slot, node) = _idle[0];
            _pending.RemoveAt(0);
            _idle.RemoveAt(0);
            _busy[slot] = new Busy(node, work);
            work.Proxy.Tell(new Assigned(slot, node));
        }
    }

    private void Forget(IActorRef gone)
    {
        _pending.RemoveAll(w => w.Proxy.Equals(gone));
        _idle.RemoveAll(i => i.Slot.Equals(gone));
        _busy.Remove(gone);
        foreach (var slot in _busy.Where(b => b.Value.Work.Proxy.Equals(gone)).Select(b => b.Key).ToList()) _busy.Remove(slot);
        foreach (var (address, worker) in _workers.Where(w => w.Value.Agent.Equals(gone)).ToList())
        {
            _workers.Remove(address);
            _idle.RemoveAll(i => i.Slot.Path.Address.Equals(address));
            _log.Warning("Worker {Node} left the cluster", worker.Node);
        }
    }

    private WorkerList Workers()
    {
        ImmutableArray<RunningView> RunningOn(Func<IActorRef, bool> here) =>
            [.. _busy.Where(b => here(b.Key)).Select(b => new RunningView(b.Value.Work.Sweep, b.Value.Work.Key.ConfigId, b.Value.Work.Key.Fold))];
        var views = new List<WorkerView>();
        if (_localSlots > 0) views.Add(new WorkerView(_coordinator, _localSlots, true, RunningOn(slot => slot.Path.Address.HasLocalScope)));
        views.AddRange(_workers.Select(w => new WorkerView(w.Value.Node, w.Value.Slots, false, RunningOn(slot => slot.Path.Address.Equals(w.Key)))));
        return new WorkerList([.. views]);
    }
}
