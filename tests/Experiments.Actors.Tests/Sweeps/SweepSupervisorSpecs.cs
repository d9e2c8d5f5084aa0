using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Xunit.Abstractions;
using Experiments.Training.Cnn;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>Whole sweeps through the SweepManager, on the real registry, digits and trainers.</summary>
public sealed class SweepSupervisorSpecs(ITestOutputHelper output) : TestKit(TestConfig.Actors, output: output)
{
    private readonly TempDir _results = new();

    private IActorRef StartManager(TestTrainerFactory factory) =>
        Sys.ActorOf(SweepManager.Props(_results.Path, Sys.ActorOf(DatasetRegistry.Props(), "datasets"), factory), SweepManager.Name);

    private SweepSummary RunToEnd(SweepSpec spec, TestTrainerFactory factory)
    {
        StartManager(factory).Tell(new SweepProtocol.RunSweep(spec));
        return ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience).Summary;
    }

    private string SweepFile(string sweep, params string[] path) => Path.Combine([_results.Path, sweep, .. path]);

    /// <summary>A column of a CSV file by its header name, one value per row (the state column may hold quoted commas, so read earlier columns only).</summary>
    private static double?[] Column(string csvPath, string name)
    {
        var lines = File.ReadAllLines(csvPath);
        var index = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(index >= 0, $"{csvPath} has no column {name}: {lines[0]}");
        return lines.Skip(1).Select(line => line.Split(',')[index])
            .Select(cell => cell.Length == 0 ? (double?)null : double.Parse(cell, CultureInfo.InvariantCulture)).ToArray();
    }

    private static Func<Experiments.Training.IModelTrainer, ParameterSet, Experiments.Training.IModelTrainer> FailingWhen(double learningRate) =>
        (trainer, parameters) => parameters.Double("learning-rate") == learningRate ? new AlwaysThrows(trainer) : trainer;

    [Fact]
    public void Should_never_run_more_trials_at_once_than_max_concurrent_trials()
    {
        var factory = TestTrainerFactory.Real();
        var spec = TinySweeps.Cnn("concurrency", learningRates: "[0.001, 0.002, 0.003]", folds: 2, maxConcurrentTrials: 2);

        var summary = RunToEnd(spec, factory);

        Assert.Equal(SweepStates.Completed, summary.State);
        Assert.Equal(6, summary.TrialFolds);
        Assert.Equal(6 + 1, factory.Created); // every trial-fold, then the final retrain
        Assert.InRange(factory.MaxAlive, 1, 2);
        AwaitCondition(() => factory.Alive == 0, TestConfig.Patience);
    }

    [Fact]
    public void Should_journal_this_host_as_the_node_every_trial_fold_ran_on_without_a_cluster()
    {
        var manager = StartManager(TestTrainerFactory.Real());
        manager.Tell(new SweepProtocol.RunSweep(TinySweeps.Cnn("nodes", learningRates: "[0.001, 0.002]", folds: 2, maxConcurrentTrials: 2)));
        ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience);

        manager.Tell(new SweepDetailProtocol.GetDetail("nodes")); // an ended sweep: read back from its journal
        var detail = ExpectMsg<SweepDetailProtocol.SweepDetail>(TestConfig.Patience);

        Assert.Equal(5, detail.Trials.Length); // 2 configs × 2 folds and the final retrain
        Assert.All(detail.Trials, t => Assert.Equal(Experiments.Actors.Cluster.NodeName.Of(Sys), t.Node));
    }

    [Fact]
    public void Should_stop_a_trial_early_when_its_metric_stagnates()
    {
        var factory = new TestTrainerFactory((trainer, _) => new ConstantValLoss(trainer, 0.5));
        var spec = TinySweeps.Cnn("stagnating", learningRates: "[0.001]", maxEpochs: 8,
            earlyStopping: "early-stopping { metric = val-loss, mode = min, patience = 2, min-delta = 0 }");

        var summary = RunToEnd(spec, factory);

        var row = Assert.Single(summary.Leaderboard);
        Assert.Equal("2 early-stopped", row.State);
        Assert.Equal(3, row.MeanEpochs); // the first epoch, then patience epochs without improvement
        Assert.Equal(0.5, row.Mean);
        Assert.Equal(3, File.ReadAllLines(SweepFile("stagnating", "trials", "trial-0-fold-1", "metrics.csv")).Length - 1);
        // The retrain runs for the folds' mean best epoch: the first.
        Assert.Equal(1, File.ReadAllLines(SweepFile("stagnating", "trials", "trial-0-final", "metrics.csv")).Length - 1);
    }

    [Fact]
    public void Should_rank_configs_by_the_mean_and_sample_sd_of_their_folds_best_metric()
    {
        var spec = TinySweeps.Cnn("aggregation", learningRates: "[0.001, 0.01]", folds: 3);

        var summary = RunToEnd(spec, TestTrainerFactory.Real());

        var leaderboardCsv = SweepFile("aggregation", "leaderboard.csv");
        var configs = Column(leaderboardCsv, "config");
        var means = Column(leaderboardCsv, "val-loss-mean");
        var sds = Column(leaderboardCsv, "val-loss-sd");
        Assert.Equal(2, configs.Length);
        for (var row = 0; row < configs.Length; row++)
        {
            var config = (int)configs[row]!.Value;
            var foldBests = Enumerable.Range(0, 3)
                .Select(fold => Column(SweepFile("aggregation", "trials", $"trial-{config}-fold-{fold}", "metrics.csv"), CnnModel.Metrics.ValLoss).Min()!.Value)
                .ToList();
            var mean = foldBests.Average();
            var sd = Math.Sqrt(foldBests.Sum(v => (v - mean) * (v - mean)) / (foldBests.Count - 1));
            Assert.Equal(mean, means[row]!.Value, 12);
            Assert.Equal(sd, sds[row]!.Value, 12);
            Assert.Equal(mean, summary.Leaderboard.Single(r => r.Config.Id == config).Mean!.Value, 12);
        }
        Assert.True(means[0] <= means[1], "the lower val-loss ranks first");
        Assert.Equal((int)configs[0]!.Value, summary.Best?.Id);
    }

    [Fact]
    public void Should_retrain_the_best_config_on_all_folds_and_write_its_test_score_to_summary_json()
    {
        var spec = TinySweeps.Cnn("retrain", learningRates: "[0.001, 0.003]", maxEpochs: 2);

        var summary = RunToEnd(spec, TestTrainerFactory.Real());

        Assert.True(summary.Succeeded);
        using var json = JsonDocument.Parse(File.ReadAllText(SweepFile("retrain", "summary.json")));
        var root = json.RootElement;
        Assert.Equal(SweepStates.Completed, root.GetProperty("state").GetString());
        var testScore = root.GetProperty("test-score").GetDouble();
        Assert.InRange(testScore, 0, 10);
        Assert.Equal(summary.TestScore, testScore);
        Assert.InRange(root.GetProperty("test-metrics").GetProperty(CnnModel.Metrics.ValAccuracy).GetDouble(), 0, 1);
        var best = summary.Leaderboard[0].Config.Id;
        Assert.Equal(best, root.GetProperty("best").GetProperty("id").GetInt32());
        // Without early stopping the retrain runs the full budget.
        Assert.Equal(2, File.ReadAllLines(SweepFile("retrain", "trials", $"trial-{best}-final", "metrics.csv")).Length - 1);
        Assert.True(File.Exists(SweepFile("retrain", "leaderboard.md")));
        Assert.True(File.Exists(SweepFile("retrain", "spec.json")));
    }

    [Fact]
    public void Should_complete_with_a_failing_configs_folds_failed_and_report_that_it_did_not_succeed()
    {
        var factory = new TestTrainerFactory(FailingWhen(learningRate: 0.003));
        var spec = TinySweeps.Cnn("one-bad-config", learningRates: "[0.001, 0.003]", retries: 1);

        var summary = RunToEnd(spec, factory);

        Assert.Equal(SweepStates.Completed, summary.State);
        Assert.False(summary.Succeeded);
        Assert.Equal(2, summary.Failed);
        var failed = summary.Leaderboard.Single(r => r.Config.Parameters.Double("learning-rate") == 0.003);
        Assert.Equal("2 failed", failed.State);
        Assert.Null(failed.Mean);
        Assert.Equal(2, failed.Rank);
        Assert.Equal(0.001, summary.Best?.Parameters.Double("learning-rate"));
        Assert.NotNull(summary.TestScore);
    }

    [Fact]
    public void Should_end_cancelled_and_stop_its_trials_when_cancelled()
    {
        var factory = TestTrainerFactory.Real();
        var spec = TinySweeps.Cnn("cancelled", learningRates: "[0.001, 0.003]", maxEpochs: 500);
        var manager = StartManager(factory);
        manager.Tell(new SweepProtocol.RunSweep(spec));
        AwaitCondition(() => factory.Alive > 0, TestConfig.Patience);

        manager.Tell(new SweepProtocol.Cancel(spec.Name));

        var summary = ExpectMsg<SweepProtocol.SweepCompleted>(TestConfig.SweepPatience).Summary;
        Assert.Equal(SweepStates.Cancelled, summary.State);
        Assert.False(summary.Succeeded);
        Assert.Null(summary.TestScore);
        Assert.Contains(summary.Leaderboard, r => r.State.Contains("cancelled"));
        AwaitCondition(() => factory.Alive == 0, TestConfig.Patience);
        Assert.False(Directory.Exists(SweepFile("cancelled", "trials", "trial-0-final")));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _results.Dispose();
    }
}
