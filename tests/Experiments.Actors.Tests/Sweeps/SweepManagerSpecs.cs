using Experiments.Training.Cnn;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Xunit.Abstractions;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>
/// The SweepManager under faults: a sweep too slow to answer, a manager or supervisor that dies,
/// and every journal state a kill -9 can leave between "accepted" and a sweep's end.
/// </summary>
public sealed class SweepManagerSpecs(ITestOutputHelper output) : TestKit(Config, output: output)
{
    private static readonly Config Config = ConfigurationFactory.ParseString("experiments.sweep-manager.status-timeout = 1s")
        .WithFallback(GatedJournal.Config).WithFallback(TestConfig.Actors);

    private readonly TempDir _results = new();
    private readonly TestTrainerFactory _factory = TestTrainerFactory.Real();
    private IActorRef? _datasets;

    private IActorRef Datasets => _datasets ??= Sys.ActorOf(DatasetRegistry.Props(), "datasets");

    private IActorRef StartManager() => Sys.ActorOf(SweepManager.Props(_results.Path, Datasets, _factory), SweepManager.Name);

    /// <summary>As a kill would: the manager and its sweeps are gone; the journal keeps what was written.</summary>
    private void StopManager(IActorRef manager)
    {
        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager, TestConfig.Patience);
    }

    /// <summary>Waits until the manager has handled everything sent before (its replies come in order).</summary>
    private void Settle(IActorRef manager)
    {
        manager.Tell(new SweepProtocol.ListSweeps());
        ExpectMsg<SweepProtocol.SweepList>(TestConfig.Patience);
    }

    private SweepSummary RunToEnd(IActorRef manager, SweepSpec spec)
    {
        var runner = CreateTestProbe();
        manager.Tell(new SweepProtocol.RunSweep(spec), runner.Ref);
        return runner.ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience).Summary;
    }

    private IReadOnlyList<object> WriteJournal(string persistenceId, params object[] events)
    {
        var probe = CreateTestProbe();
        Sys.ActorOf(JournalWriter.Props(persistenceId, events, probe.Ref));
        return probe.ExpectMsg<JournalWriter.Written>(TestConfig.Patience).Recovered;
    }

    /// <summary>The manager's journal id, read from an instance of it (so this spec does not restate it).</summary>
    private string ManagerPersistenceId()
    {
        var manager = ActorOfAsTestActorRef<SweepManager>(SweepManager.Props(_results.Path, Datasets, _factory), "manager-id");
        var id = manager.UnderlyingActor.PersistenceId;
        StopManager(manager);
        return id;
    }

    /// <summary>The journal a kill leaves right after "Sweep … accepted": the manager's SweepOpened, nothing under the sweep.</summary>
    private void KillBetweenAcceptanceAndFirstJournalEntry(SweepSpec spec)
    {
        var sweepId = SweepSupervisor.PersistenceIdOf(spec);
        GatedJournal.Hold(sweepId);
        var manager = StartManager();
        manager.Tell(new SweepProtocol.RunSweep(spec), CreateTestProbe().Ref);
        Settle(manager);
        StopManager(manager);
        GatedJournal.Drop(sweepId);
        Assert.Empty(WriteJournal(sweepId));
    }

    [Fact]
    public void Should_answer_the_sweep_list_and_keep_its_waiters_while_a_sweep_is_too_slow_to_answer()
    {
        var spec = TinySweeps.Cnn("slow", learningRates: "[0.001]", maxEpochs: 1);
        var sweepId = SweepSupervisor.PersistenceIdOf(spec);
        GatedJournal.Hold(sweepId); // the sweep's first write waits: it stashes every question meanwhile
        var manager = StartManager();
        var runner = CreateTestProbe();
        manager.Tell(new SweepProtocol.RunSweep(spec), runner.Ref);

        manager.Tell(new SweepProtocol.ListSweeps());
        var list = ExpectMsg<SweepProtocol.SweepList>(TestConfig.Patience);

        var status = Assert.Single(list.Sweeps);
        Assert.Equal(("slow", SweepStates.NotResponding), (status.Name, status.State));
        GatedJournal.Release(sweepId);
        Assert.Equal(SweepStates.Completed, runner.ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience).Summary.State);
    }

    [Fact]
    public void Should_answer_every_status_question_asked_while_a_sweep_ends()
    {
        var manager = StartManager();
        var runner = CreateTestProbe();
        var asker = CreateTestProbe();
        manager.Tell(new SweepProtocol.RunSweep(TinySweeps.Cnn("ending", maxEpochs: 2)), runner.Ref);

        // Asked one after another until the sweep has ended, then once more: a question that reaches
        // the sweep as it ends (stashed while it journals its end) is answered, not dropped.
        do
        {
            manager.Tell(new SweepProtocol.GetStatus("ending"), asker.Ref);
            asker.ExpectMsg<SweepProtocol.SweepStatus>(TestConfig.Patience);
        }
        while (!runner.HasMessages);
        manager.Tell(new SweepProtocol.GetStatus("ending"), asker.Ref);

        Assert.Equal(SweepStates.Completed, asker.ExpectMsg<SweepProtocol.SweepStatus>(TestConfig.Patience).State);
    }

    [Fact]
    public void Should_tell_whoever_waits_on_a_sweep_that_it_was_interrupted_when_the_manager_stops()
    {
        var manager = StartManager();
        var runner = CreateTestProbe();
        manager.Tell(new SweepProtocol.RunSweep(TinySweeps.Cnn("orphaned", maxEpochs: 500)), runner.Ref);
        Settle(manager);

        manager.Tell(Kill.Instance);

        var interrupted = runner.ExpectMsg<SweepProtocol.SweepInterrupted>(TestConfig.Patience);
        Assert.Equal("orphaned", interrupted.Name);
        Assert.Contains("sweep manager stopped", interrupted.Reason);
    }

    [Fact]
    public void Should_tell_whoever_waits_on_a_sweep_that_it_was_interrupted_when_its_supervisor_dies()
    {
        var manager = StartManager();
        var runner = CreateTestProbe();
        manager.Tell(new SweepProtocol.RunSweep(TinySweeps.Cnn("headless", maxEpochs: 500)), runner.Ref);
        Settle(manager);

        Sys.ActorSelection($"/user/{SweepManager.Name}/sweep-headless").Tell(Kill.Instance);

        var interrupted = runner.ExpectMsg<SweepProtocol.SweepInterrupted>(TestConfig.Patience);
        Assert.Equal("headless", interrupted.Name);
        Assert.Contains("stopped unexpectedly", interrupted.Reason);
    }

    [Fact]
    public void Should_run_a_sweep_killed_between_acceptance_and_its_first_journal_entry_when_it_is_run_again()
    {
        var spec = TinySweeps.Cnn("accepted-then-killed", learningRates: "[0.001]", maxEpochs: 1);
        KillBetweenAcceptanceAndFirstJournalEntry(spec);

        var summary = RunToEnd(StartManager(), spec);

        Assert.Equal(SweepStates.Completed, summary.State);
        Assert.Equal(2, summary.TrialFolds);
    }

    [Fact]
    public void Should_resume_on_its_own_a_sweep_killed_between_acceptance_and_its_first_journal_entry()
    {
        var spec = TinySweeps.Cnn("accepted-then-resumed", learningRates: "[0.001]", maxEpochs: 1);
        KillBetweenAcceptanceAndFirstJournalEntry(spec);

        // `serve` after the kill: nobody submits it again; "accepted" was a promise.
        var manager = StartManager();

        AwaitAssert(() =>
        {
            manager.Tell(new SweepProtocol.GetStatus(spec.Name));
            Assert.Equal(SweepStates.Completed, ExpectMsg<SweepProtocol.SweepStatus>(TestConfig.Patience).State);
        }, TestConfig.SweepPatience, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void Should_start_afresh_a_sweep_an_older_version_accepted_before_a_kill_when_it_is_run_again()
    {
        var spec = TinySweeps.Cnn("legacy-rerun", learningRates: "[0.001]", maxEpochs: 1);
        // Written before SweepOpened carried the spec: the sweep's journal is empty and the manager's has no spec.
        WriteJournal(ManagerPersistenceId(), new SweepManagerEvents.SweepOpened(spec.Name, SweepSupervisor.PersistenceIdOf(spec)));

        var summary = RunToEnd(StartManager(), spec);

        Assert.Equal(SweepStates.Completed, summary.State);
    }

    [Fact]
    public void Should_close_cleanly_a_sweep_an_older_version_accepted_before_a_kill_when_nobody_runs_it_again()
    {
        var spec = TinySweeps.Cnn("legacy-abandoned", learningRates: "[0.001]", maxEpochs: 1);
        var managerId = ManagerPersistenceId();
        WriteJournal(managerId, new SweepManagerEvents.SweepOpened(spec.Name, SweepSupervisor.PersistenceIdOf(spec)));

        EventFilter.Warning(contains: "before its first journal entry").ExpectOne(TestConfig.Patience, () => StartManager());

        AwaitAssert(() => Assert.Equal(new SweepManagerEvents.SweepClosed(spec.Name), WriteJournal(managerId).Last()),
            TestConfig.Patience, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Should_end_a_sweep_killed_after_its_final_retrain_ended_without_retraining_again()
    {
        var spec = TinySweeps.Cnn("retrained-then-killed", learningRates: "[0.001]", maxEpochs: 1);
        var final = new TrialKey(0, TrialKey.FinalFold);
        var events = new List<object> { new SweepEvents.SweepStarted(SpecJson.Serialize(spec)) };
        foreach (var key in new[] { new TrialKey(0, 0), new TrialKey(0, 1), final })
        {
            var valLoss = key.IsFinal ? 0.25 : 0.5;
            events.Add(new SweepEvents.TrialStarted(key.ConfigId, key.Fold));
            events.Add(new SweepEvents.EpochRecorded(key.ConfigId, key.Fold, 1, new Dictionary<string, double> { [CnnModel.Metrics.ValLoss] = valLoss }, 1.0));
            events.Add(new SweepEvents.TrialEnded(key.ConfigId, key.Fold, TrialStatus.Completed, 1, valLoss, 1, "ran all 1 epochs"));
        }
        // The kill came before SweepEnded was written.
        WriteJournal(SweepSupervisor.PersistenceIdOf(spec), events.ToArray());

        var summary = RunToEnd(StartManager(), spec);

        Assert.Equal(SweepStates.Completed, summary.State);
        Assert.Equal(0.25, summary.TestScore);
        Assert.Equal(0, _factory.Created);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _results.Dispose();
    }
}
