using Akka.Actor;
using Akka.Persistence;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;

namespace Experiments.Host.Tests.Journal;

/// <summary>
/// Writes the journal the fixtures hold (Fixtures/README.md): through the program's own actors
/// and journal settings, with <see cref="ScriptedTrainer"/>s so every value is known.
/// 1. Sweep "finished" runs to its end (two configs × two folds; the second config fails in epoch 2).
/// 2. A snapshot of "finished" at its end (Akka snapshots at the last sequence number, whatever
///    was replayed), so its recovery takes the snapshot alone, or the events alone without it.
/// 3. Sweep "open" is submitted and journals its start, then the host stops: it stays open.
/// </summary>
public static class JournalFixtureWriter
{
    public const string Finished = "finished";
    public const string Open = "open";
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static SweepSpec Spec(string name)
    {
        var text = $$"""
            experiments.sweeps = [{
              name = {{name}}
              model = cnn
              dataset = { name = mnist-default, limit = 600 }
              search { method = grid, space { learning-rate = [0.001, 0.003] } }
              cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
              training { max-epochs = 2, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
              resources { max-concurrent-trials = 1, threads-per-trial = 1 }
              retries = 0
            }]
            """;
        var result = SpecLoader.LoadText(text, "fixture.hocon", Directory.GetCurrentDirectory(), Experiments.Training.Models.Context());
        Assert.True(result.IsValid, SpecReport.Render(result));
        return Assert.Single(result.Sweeps);
    }

    public static async Task WriteAsync(string resultsDirectory)
    {
        await using (var host = await JournalHost.StartAsync(resultsDirectory))
        {
            var system = host.System;
            var manager = system.ActorOf(SweepManager.Props(resultsDirectory, system.ActorOf(DatasetRegistry.Props(), "datasets"), new ScriptedTrainerFactory()), SweepManager.Name);
            await manager.Ask<SweepProtocol.SweepCompleted>(new SweepProtocol.RunSweep(Spec(Finished)), Patience);
        }
        await using (var host = await JournalHost.StartAsync(resultsDirectory))
        {
            var system = host.System;
            var reader = system.ActorOf(SweepStateReader.Props(SweepSupervisor.PersistenceIdOf(Spec(Finished)), useSnapshots: false));
            await reader.Ask<SaveSnapshotSuccess>(new SweepStateReader.SaveSnapshotNow(), Patience);
            var manager = system.ActorOf(SweepManager.Props(resultsDirectory, system.ActorOf(Props.Create<Silent>()), new ScriptedTrainerFactory()), SweepManager.Name);
            await manager.Ask<SweepProtocol.SweepAccepted>(new SweepProtocol.SubmitSweep(Spec(Open)), Patience);
            // The supervisor answers only once its start is journalled.
            await manager.Ask<SweepProtocol.SweepStatus>(new SweepProtocol.GetStatus(Open), Patience);
        }
    }
}
