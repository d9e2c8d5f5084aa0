using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>A worker's agent: the join handshake, and leaving a cluster whose coordinator came back as another incarnation.</summary>
public sealed class WorkerNodeSpecs() : TestKit(TestConfig.Actors)
{
    private const string QueueName = "queue";
    private int _leaves;

    /// <summary>Answers the handshake as the coordinator's queue does (the proof is not checked here) and says when a worker registered.</summary>
    private sealed class Queue : ReceiveActor
    {
        public Queue(IActorRef registered)
        {
            Receive<Hello>(_ => Sender.Tell(new Challenge("nonce")));
            Receive<Register>(register =>
            {
                Sender.Tell(new Welcome("coordinator"));
                registered.Tell(register.Node);
            });
        }
    }

    private IActorRef StartQueue()
    {
        var registered = TestActor;
        return Sys.ActorOf(Props.Create(() => new Queue(registered)), QueueName);
    }

    private void StartWorker()
    {
        Action leave = () => Interlocked.Increment(ref _leaves);
        Action<string> refused = _ => { };
        Sys.ActorOf(Props.Create(() => new WorkerNode($"/user/{QueueName}", "worker-a", 0, "secret", _ => Props.Empty, refused, leave)), "worker");
    }

    [Fact]
    public void Should_leave_once_another_incarnation_of_the_queue_answers_and_stay_while_the_same_one_does()
    {
        var first = StartQueue();
        StartWorker();
        ExpectMsg("worker-a", TestConfig.Patience);
        // It asks every 2 s who answers at the queue's path: the queue it joined, so it stays.
        ExpectNoMsg(TimeSpan.FromSeconds(5));
        Assert.Equal(0, Volatile.Read(ref _leaves));

        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        StartQueue(); // the same path, another actor: what a restarted coordinator looks like from the worker

        AwaitCondition(() => Volatile.Read(ref _leaves) == 1, TestConfig.Patience);
    }
}
