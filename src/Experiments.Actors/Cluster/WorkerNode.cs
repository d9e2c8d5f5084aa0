using Akka.Actor;
using Akka.Event;
using Experiments.Training;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// A worker process's agent (/user/worker): says Hello to the coordinator's queue until it
/// answers, proves it knows the cluster secret (HMAC of the coordinator's nonce), and once
/// welcomed starts its slots. A refusal is final: <paramref name="refused"/> is told the reason
/// (the program logs it and exits). While working it asks the queue's address every 2 s who
/// answers there: a different queue (another incarnation: the coordinator was restarted) means
/// this node's cluster is gone for good, so <paramref name="leave"/> is called at once (the program
/// downs this node, as the split-brain resolver would once the coordinator has been unreachable
/// long enough, and joins the new one).
/// Silence proves nothing (a slow or cut-off coordinator) and is left to the resolver.
/// Supervision: a slot that throws is restarted (it asks for work again).
/// </summary>
public sealed class WorkerNode : ReceiveActor, IWithTimers
{
    private sealed record SayHello;
    private sealed record WhoIsThere;
    private const string QueueProbe = "queue";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _queuePath;
    private readonly string _node;
    private readonly int _slots;
    private readonly string _secret;
    private readonly Func<int, Props> _slot;
    private readonly Action<string> _refused;
    private readonly Action _leave;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string queuePath, string node, int slots, string secret, IActorRef datasets, IActorRef dataCache, ITrainerFactory factory,
        string scratch, int? threads, Action<string> refused, Action leave) =>
        Akka.Actor.Props.Create(() => new WorkerNode(queuePath, node, slots, secret,
            i => WorkerSlot.Props(queuePath, node, i, datasets, factory, Path.Combine(scratch, $"slot-{i}"), threads, dataCache), refused, leave));

    public WorkerNode(string queuePath, string node, int slots, string secret, Func<int, Props> slot, Action<string> refused, Action leave)
    {
        _leave = leave;
        _queuePath = queuePath;
        _node = node;
        _slots = slots;
        _secret = secret;
        _slot = slot;
        _refused = refused;
        Joining();
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("hello", new SayHello(), TimeSpan.Zero, TimeSpan.FromSeconds(2));

    private void Joining()
    {
        Receive<SayHello>(_ => Context.ActorSelection(_queuePath).Tell(new Hello(_node, _slots)));
        Receive<Challenge>(challenge => Sender.Tell(new Register(_node, _slots, ClusterSecret.Proof(_secret, challenge.Nonce))));
        Receive<Welcome>(welcome =>
        {
            Timers.Cancel("hello");
            _log.Info("Worker {Node} joined coordinator {Coordinator} with {Slots} slot(s)", _node, welcome.Coordinator, _slots);
            for (var i = 0; i < _slots; i++) Context.ActorOf(_slot(i), $"slot-{i}");
            var queue = Sender;
            Timers.StartPeriodicTimer("who", new WhoIsThere(), TimeSpan.FromSeconds(2));
            Become(() => Working(queue, welcome.Coordinator));
        });
        Receive<Refused>(refused =>
        {
            Timers.Cancel("hello");
            _log.Error("Worker {Node} refused: {Reason}", _node, refused.Reason);
            _refused(refused.Reason);
        });
    }

    private void Working(IActorRef queue, string coordinator)
    {
        Receive<WhoIsThere>(_ => Context.ActorSelection(_queuePath).Tell(new Identify(QueueProbe)));
        Receive<ActorIdentity>(identity => identity.MessageId is QueueProbe && IsAnotherIncarnation(queue, identity.Subject), _ =>
        {
            Timers.Cancel("who");
            _log.Warning("Worker {Node}: coordinator {Coordinator} was restarted (a new work queue answers there); leaving the old cluster to join it",
                _node, coordinator);
            _leave();
        });
        Receive<ActorIdentity>(_ => { });
        Receive<SayHello>(_ => { });
        Receive<Challenge>(_ => { });
        Receive<Welcome>(_ => { });
    }

    /// <summary>The same path with another actor uid: a new actor system at the coordinator's address.</summary>
    private static bool IsAnotherIncarnation(IActorRef welcomed, IActorRef? answering) =>
        answering is not null && welcomed.Path.Uid != 0 && answering.Path.Uid != 0 && answering.Path.Uid != welcomed.Path.Uid;
}
