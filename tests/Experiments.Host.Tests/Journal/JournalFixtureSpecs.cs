using Akka.Actor;
using Experiments.Actors.Sweeps;
using Experiments.Core.Trials;

namespace Experiments.Host.Tests.Journal;

/// <summary>Journals written by earlier versions of the program (Fixtures/) recover to the state they held.</summary>
public sealed class JournalFixtureSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private static async Task<SweepStateReader.Recovered> Recover(JournalHost host, string persistenceId, bool useSnapshots) =>
        await host.System.ActorOf(SweepStateReader.Props(persistenceId, useSnapshots))
            .Ask<SweepStateReader.Recovered>(new SweepStateReader.GetState(), JournalFixtureWriter.Patience);

    /// <summary>What the writer's "finished" sweep holds: every value follows from <see cref="ScriptedTrainer"/>'s formulas.</summary>
    private static void AssertFinished(SweepState state)
    {
        Assert.Equal(JournalFixtureWriter.Finished, state.Spec!.Name);
        Assert.Equal(2, state.Spec.CrossValidation.Folds);
        Assert.Equal(SpecJson.Serialize(JournalFixtureWriter.Spec(JournalFixtureWriter.Finished)), SpecJson.Serialize(state.Spec));
        Assert.Empty(state.Interrupted);
        foreach (var fold in new[] { 0, 1 })
        {
            var good = state.Outcomes[new TrialKey(0, fold)];
            Assert.Equal((TrialStatus.Completed, 2, ScriptedTrainer.ValLoss(0.001, 2), 2), (good.Status, good.EpochsRun, good.BestMetric!.Value, good.BestEpoch!.Value));
            Assert.Equal([ScriptedTrainer.ValLoss(0.001, 1), ScriptedTrainer.ValLoss(0.001, 2)], state.History(new TrialKey(0, fold), "val-loss"));
            Assert.Equal([ScriptedTrainer.ValAccuracy(1), ScriptedTrainer.ValAccuracy(2)], state.History(new TrialKey(0, fold), "val-accuracy"));
            var failed = state.Outcomes[new TrialKey(1, fold)];
            Assert.Equal((TrialStatus.Failed, 1, ScriptedTrainer.ValLoss(0.003, 1), 1), (failed.Status, failed.EpochsRun, failed.BestMetric!.Value, failed.BestEpoch!.Value));
            Assert.Contains("scripted fault in epoch 2", failed.Reason);
        }
        var final = state.Outcomes[new TrialKey(0, TrialKey.FinalFold)];
        Assert.Equal((TrialStatus.Completed, 2), (final.Status, final.EpochsRun));
        Assert.Equal(5, state.Outcomes.Count);
        Assert.Equal(SweepStates.Completed, state.Ended!.State);
        Assert.Equal(ScriptedTrainer.ValLoss(0.001, 2), state.Ended.TestScore);
        var trainLoss = ScriptedTrainer.TrainLoss(0.001);
        Assert.Equal((trainLoss + trainLoss + trainLoss) / 3, state.Ended.TestMetrics!["train-loss"]); // the mean of the epoch's 3 steps
    }

    [Fact]
    public async Task Should_recover_a_journal_written_now_as_the_fixtures_were_written()
    {
        await JournalFixtureWriter.WriteAsync(_dir.Path);
        if (Environment.GetEnvironmentVariable("EXPERIMENTS_WRITE_FIXTURE") is { Length: > 0 } keep)
            File.Copy(_dir.File("experiments.db"), keep, overwrite: true);

        await using var host = await JournalHost.StartAsync(_dir.Path);
        var finished = SweepSupervisor.PersistenceIdOf(JournalFixtureWriter.Spec(JournalFixtureWriter.Finished));
        var fromSnapshot = await Recover(host, finished, useSnapshots: true);
        Assert.True(fromSnapshot.FromSnapshot);
        AssertFinished(fromSnapshot.State);
        AssertFinished((await Recover(host, finished, useSnapshots: false)).State);
        var open = await Recover(host, SweepSupervisor.PersistenceIdOf(JournalFixtureWriter.Spec(JournalFixtureWriter.Open)), useSnapshots: true);
        Assert.Equal(SpecJson.Serialize(JournalFixtureWriter.Spec(JournalFixtureWriter.Open)), open.State.SpecJson);
        Assert.Null(open.State.Ended);
    }

    public void Dispose() => _dir.Dispose();
}
