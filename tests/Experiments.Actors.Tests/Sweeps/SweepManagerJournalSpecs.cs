using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>
/// Each host's SweepManager journals apart from the others, and the first start of each adopts
/// the open sweeps of the fixed-id journal of earlier versions, for one host only. The managers
/// here share one (in-memory) journal as hosts share a database; no dataset ever arrives, so
/// every sweep stays open at its start.
/// </summary>
public sealed class SweepManagerJournalSpecs : TestKit
{
    public SweepManagerJournalSpecs() : base(TestConfig.Actors) => _noData = Sys.ActorOf(Props.Create<Silent>(), "no-data");

    private readonly TempDir _results = new();
    private readonly IActorRef _noData;
    private int _started;

    public sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    /// <summary>Persists the given events under a persistence id, as an earlier version did, then says "written".</summary>
    public sealed class JournalWriter : ReceivePersistentActor
    {
        public override string PersistenceId { get; }

        public JournalWriter(string persistenceId, object[] events, IActorRef notify)
        {
            PersistenceId = persistenceId;
            Recover<RecoveryCompleted>(_ => PersistAll(events, e =>
            {
                if (ReferenceEquals(e, events[^1])) notify.Tell("written");
            }));
        }
    }

    private void WriteJournal(string persistenceId, params object[] events)
    {
        Sys.ActorOf(Props.Create(() => new JournalWriter(persistenceId, events, TestActor)));
        ExpectMsg("written", TestConfig.Patience);
    }

    private IActorRef Manager(string hostId) =>
        Sys.ActorOf(SweepManager.Props(_results.Path, _noData, TestTrainerFactory.Real(), hostId), $"sweeps-{hostId}-{++_started}");

    private string[] OpenSweeps(IActorRef manager) =>
        manager.Ask<SweepProtocol.SweepList>(new SweepProtocol.ListSweeps(), TestConfig.Patience).Result.Sweeps.Select(s => s.Name).ToArray();

    private void Restart(ref IActorRef manager, string hostId)
    {
        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager, TestConfig.Patience);
        manager = Manager(hostId);
    }

    private void Submit(IActorRef manager, string sweep)
    {
        manager.Tell(new SweepProtocol.SubmitSweep(TinySweeps.Cnn(sweep)));
        ExpectMsg<SweepProtocol.SweepAccepted>(TestConfig.Patience);
    }

    [Fact]
    public void Should_journal_each_host_under_its_own_persistence_id()
    {
        Assert.Equal("sweep-manager-host-a", SweepManager.PersistenceIdOf("host-a"));
        Assert.NotEqual(SweepManager.PersistenceIdOf("host-a"), SweepManager.PersistenceIdOf("host-b"));
    }

    [Fact]
    public void Should_not_resume_the_sweeps_of_another_host_on_the_same_journal()
    {
        var a = Manager("host-a");
        var b = Manager("host-b");
        Submit(a, "alpha");
        Submit(b, "beta");

        Restart(ref a, "host-a");
        Restart(ref b, "host-b");

        AwaitAssert(() => Assert.Equal(["alpha"], OpenSweeps(a)), TestConfig.Patience);
        AwaitAssert(() => Assert.Equal(["beta"], OpenSweeps(b)), TestConfig.Patience);
    }

    [Fact]
    public void Should_adopt_the_open_sweeps_of_the_fixed_id_journal_for_the_first_host_only()
    {
        var leftOpen = TinySweeps.Cnn("left-open");
        WriteJournal(SweepSupervisor.PersistenceIdOf(leftOpen), new SweepEvents.SweepStarted(SpecJson.Serialize(leftOpen)));
        WriteJournal(LegacyManagerJournal.LegacyPersistenceId,
            new SweepManagerEvents.SweepOpened("done", SweepSupervisor.PersistenceIdOf(TinySweeps.Cnn("done"))),
            new SweepManagerEvents.SweepOpened("left-open", SweepSupervisor.PersistenceIdOf(leftOpen)),
            new SweepManagerEvents.SweepClosed("done"));

        var first = Manager("first");
        Assert.Equal(["left-open"], OpenSweeps(first));

        var second = Manager("second");
        Restart(ref first, "first");

        Assert.Empty(OpenSweeps(second));
        AwaitAssert(() => Assert.Equal(["left-open"], OpenSweeps(first)), TestConfig.Patience);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _results.Dispose();
    }
}
