using Experiments.Training.Cnn;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;
using Experiments.Training;
using Xunit.Abstractions;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>Trains for real but reports a val-loss fixed by its learning rate, its fold and the epoch: the same at any timing.</summary>
public sealed class ScriptedValLoss(IModelTrainer inner, double learningRate) : DelegatingTrainer(inner)
{
    private int _epoch;

    public override IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices)
    {
        var fold = indices.Count > 0 ? indices[0] % 2 : 0;
        return new Dictionary<string, double>(base.Evaluate(indices))
        {
            [CnnModel.Metrics.ValLoss] = learningRate * 100 + 1.0 / ++_epoch + fold * 0.01,
        };
    }
}

/// <summary>Pruning through the whole actor tree: config-aware and the same at any concurrency.</summary>
public sealed class SweepPruningSpecs(ITestOutputHelper output) : TestKit(TestConfig.Actors, output: output)
{
    private const string Median = "pruning { rule = median, grace-epochs = 1, min-trials = 2 }";
    private readonly TempDir _results = new();

    /// <summary>Each sweep under a manager of its own, one after the other (a manager is one persistent identity).</summary>
    private SweepSummary Run(SweepSpec spec, TestTrainerFactory factory)
    {
        var manager = Sys.ActorOf(SweepManager.Props(_results.Path, Sys.ActorOf(DatasetRegistry.Props()), factory));
        manager.Tell(new SweepProtocol.RunSweep(spec));
        var summary = ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience).Summary;
        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager);
        return summary;
    }

    private static TestTrainerFactory Scripted() => new((trainer, parameters) => new ScriptedValLoss(trainer, parameters.Double("learning-rate")));

    [Fact]
    public void Should_prune_the_same_trial_folds_at_concurrency_1_and_2_and_start_no_further_fold_of_a_pruned_config()
    {
        const string rates = "[0.001, 0.002, 0.003, 0.004]";
        var one = Scripted();
        var two = Scripted();

        var sequential = Run(TinySweeps.Cnn("pruning-one", learningRates: rates, maxConcurrentTrials: 1, earlyStopping: Median), one);
        var concurrent = Run(TinySweeps.Cnn("pruning-two", learningRates: rates, maxConcurrentTrials: 2, earlyStopping: Median), two);

        static object Rows(SweepSummary s) => s.Leaderboard.Select(r => (r.Config.Id, r.State, r.MeanEpochs, r.Mean)).OrderBy(r => r.Id).ToList();
        Assert.Equal(Rows(sequential), Rows(concurrent));
        Assert.Equal(["2 completed", "2 completed", "1 pruned, 1 skipped", "1 pruned, 1 skipped"],
            sequential.Leaderboard.OrderBy(r => r.Config.Id).Select(r => r.State));
        // Two configs × two folds, two pruned configs × one fold, then the final retrain.
        Assert.Equal(2 * 2 + 2 + 1, one.Created);
        Assert.Equal(one.Created, two.Created);
        Assert.Equal(SweepStates.Completed, concurrent.State);
        Assert.Equal(0, concurrent.Leaderboard[0].Config.Id);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _results.Dispose();
    }
}
