using Experiments.Bench.Reference;

namespace Experiments.Bench.Tests;

public sealed class CompareSpecs
{
    private static Sample Wall(int pair, string side, double seconds) =>
        new("sweep", "reference-sweep", pair, side, new Dictionary<string, double> { ["wall_seconds"] = seconds, ["best_cv"] = 0.9 + pair / 100.0 }, "1 1 1", "1 1 1");

    [Fact]
    public void Should_give_each_sides_medians_the_ratio_of_medians_and_the_pairs_ratios()
    {
        var samples = new[]
        {
            Wall(1, CompareSetup.ExperimentsSide, 80), Wall(1, CompareSetup.ReferenceSide, 100),
            Wall(2, CompareSetup.ReferenceSide, 120), Wall(2, CompareSetup.ExperimentsSide, 90),
            Wall(3, CompareSetup.ExperimentsSide, 70), Wall(3, CompareSetup.ReferenceSide, 140),
        };
        var summary = Assert.Single(Compare.Summarise("sweep", samples));
        Assert.Equal(80, summary.Experiments["wall_seconds"]);
        Assert.Equal(120, summary.Reference["wall_seconds"]);
        Assert.Equal(0.92, summary.Reference["best_cv"], 12);
        Assert.Equal(80.0 / 120, summary.RatioOfMedians, 12);
        Assert.Equal([0.8, 0.75, 0.5], summary.PairRatios);
        Assert.Equal(0.75, summary.MedianPairRatio);
    }

    [Fact]
    public void Should_take_the_mean_of_the_two_middle_values_for_an_even_count()
    {
        Assert.Equal(2.5, Compare.Median([4, 1, 2, 3]));
        Assert.Equal(3, Compare.Median([5, 3, 1]));
    }

    [Fact]
    public void Should_find_the_first_epochs_start_in_the_clef_log()
    {
        using var dir = new TempDir();
        dir.Write("logs/experiments-20261202.clef", string.Join("\n",
            """{"@t":"2026-12-02T16:16:03.2402335Z","@mt":"Application started. Press Ctrl+C to shut down."}""",
            """{"@t":"2026-12-02T16:16:12.9495234Z","@mt":"Trial {TrialId} fold {Fold} epoch {Epoch} {Metric} {Value:G4} {LossName} {Loss:G4} ({Seconds:0.0} s)","TrialId":0,"Fold":0,"Epoch":1,"Seconds":4.5}""",
            """{"@t":"2026-12-02T16:16:20.0000000Z","@mt":"Trial {TrialId} fold {Fold} epoch {Epoch} {Metric} {Value:G4} {LossName} {Loss:G4} ({Seconds:0.0} s)","TrialId":0,"Fold":1,"Epoch":1,"Seconds":1.0}"""));
        var start = CompareRuns.FirstEpochStart(dir.File("logs"));
        Assert.Equal(new DateTime(2026, 12, 2, 16, 16, 8, 449, DateTimeKind.Utc).AddTicks(5234), start);
        Assert.Equal(DateTimeKind.Utc, start!.Value.Kind);
    }

    [Fact]
    public void Should_find_no_epoch_start_in_a_log_without_epochs()
    {
        using var dir = new TempDir();
        dir.Write("logs/experiments-20261202.clef", """{"@t":"2026-12-02T16:16:03.2402335Z","@mt":"Application started."}""");
        Assert.Null(CompareRuns.FirstEpochStart(dir.File("logs")));
    }

    [Fact]
    public void Should_sum_the_cross_validation_epochs_seconds_in_all_and_by_hidden_width()
    {
        using var dir = new TempDir();
        dir.Write("trial-0-fold-0/params.json", """{"config":0,"fold":0,"parameters":{"hidden":64,"dropout":0.1}}""");
        dir.Write("trial-0-fold-0/metrics.csv", "epoch,train-loss,val-loss,val-accuracy,seconds\n1,0.5,0.4,0.9,1.25\n2,0.3,0.3,0.92,0.75\n");
        dir.Write("trial-1-fold-0/params.json", """{"config":1,"fold":0,"parameters":{"hidden":256,"dropout":0.1}}""");
        dir.Write("trial-1-fold-0/metrics.csv", "epoch,train-loss,val-loss,val-accuracy,seconds\n1,0.5,0.4,0.9,2.5\n");
        var times = CompareRuns.EpochTimes([dir.File("trial-0-fold-0"), dir.File("trial-1-fold-0")]);
        Assert.Equal(4.5, times["epoch_seconds"], 12);
        Assert.Equal(2.0, times["epoch_seconds_hidden_64"], 12);
        Assert.Equal(2, times["epochs_hidden_64"]);
        Assert.Equal(2.5, times["epoch_seconds_hidden_256"], 12);
        Assert.Equal(1, times["epochs_hidden_256"]);
    }
}
