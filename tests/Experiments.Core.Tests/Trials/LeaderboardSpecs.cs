using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Trials;

public sealed class LeaderboardSpecs
{
    private static TrialConfig Config(int id, double learningRate = 0.001, int hidden = 16) =>
        new(id, ParameterSet.Empty.With("learning-rate", ParamValue.Of(learningRate)).With("hidden", ParamValue.Of(hidden)));

    private static TrialOutcome Outcome(int config, int fold, double? best, TrialStatus status = TrialStatus.Completed, int epochs = 3) =>
        new(new TrialKey(config, fold), status, epochs, best, best is null ? null : 1, "test");

    [Fact]
    public void Should_report_the_mean_and_sample_standard_deviation_of_the_folds_best_metric()
    {
        var board = Leaderboard.Build([Config(0)], [Outcome(0, 0, 1.0), Outcome(0, 1, 2.0), Outcome(0, 2, 3.0)], 3, OptimizationMode.Min);

        var row = Assert.Single(board);
        Assert.Equal(2.0, row.Mean!.Value, 12);
        Assert.Equal(1.0, row.StdDev!.Value, 12);
        Assert.Equal(3, row.FoldsWithResult);
        Assert.Equal("3 completed", row.State);
    }

    [Fact]
    public void Should_give_a_single_fold_a_standard_deviation_of_zero()
    {
        var row = Assert.Single(Leaderboard.Build([Config(0)], [Outcome(0, 0, 0.7)], 3, OptimizationMode.Min));
        Assert.Equal(0.7, row.Mean);
        Assert.Equal(0.0, row.StdDev);
        Assert.Equal("1 completed, 2 pending", row.State);
    }

    [Fact]
    public void Should_show_the_folds_a_pruned_config_never_starts_as_skipped_and_average_the_folds_it_ran()
    {
        var row = Assert.Single(Leaderboard.Build([Config(0)], [Outcome(0, 0, 0.4), Outcome(0, 1, 0.6, TrialStatus.Pruned, epochs: 1)], 5, OptimizationMode.Min));

        Assert.Equal("1 completed, 1 pruned, 3 skipped", row.State);
        Assert.Equal(0.5, row.Mean!.Value, 12);
        Assert.Equal(2, row.FoldsWithResult);
        Assert.Equal(5, row.Folds);
        Assert.Equal(2, row.MeanEpochs);
    }

    [Fact]
    public void Should_count_early_stopped_and_pruned_folds_but_not_failed_or_diverged_ones()
    {
        var outcomes = new[]
        {
            Outcome(0, 0, 1.0, TrialStatus.EarlyStopped), Outcome(0, 1, 3.0, TrialStatus.Pruned),
            Outcome(0, 2, 100.0, TrialStatus.Diverged), Outcome(0, 3, null, TrialStatus.Failed),
        };
        var row = Assert.Single(Leaderboard.Build([Config(0)], outcomes, 4, OptimizationMode.Min));
        Assert.Equal(2.0, row.Mean);
        Assert.Equal(2, row.FoldsWithResult);
        Assert.Equal("1 early-stopped, 1 pruned, 1 failed, 1 diverged", row.State);
    }

    [Fact]
    public void Should_ignore_the_final_retrain_of_the_best_config()
    {
        var row = Assert.Single(Leaderboard.Build([Config(0)], [Outcome(0, 0, 1.0), Outcome(0, TrialKey.FinalFold, 0.1)], 1, OptimizationMode.Min));
        Assert.Equal(1.0, row.Mean);
    }

    [Fact]
    public void Should_rank_lowest_mean_first_in_min_mode_and_highest_first_in_max_mode()
    {
        TrialConfig[] configs = [Config(0), Config(1), Config(2)];
        TrialOutcome[] outcomes = [Outcome(0, 0, 0.5), Outcome(1, 0, 0.1), Outcome(2, 0, 0.9)];

        var min = Leaderboard.Build(configs, outcomes, 1, OptimizationMode.Min);
        var max = Leaderboard.Build(configs, outcomes, 1, OptimizationMode.Max);

        Assert.Equal([1, 0, 2], min.Select(r => r.Config.Id));
        Assert.Equal([2, 0, 1], max.Select(r => r.Config.Id));
        Assert.Equal([1, 2, 3], min.Select(r => r.Rank));
    }

    [Fact]
    public void Should_break_ties_by_config_id()
    {
        var board = Leaderboard.Build([Config(2), Config(0), Config(1)], [Outcome(2, 0, 0.5), Outcome(0, 0, 0.5), Outcome(1, 0, 0.5)], 1, OptimizationMode.Min);
        Assert.Equal([0, 1, 2], board.Select(r => r.Config.Id));
    }

    [Fact]
    public void Should_rank_configs_without_results_last()
    {
        TrialConfig[] configs = [Config(0), Config(1), Config(2)];
        TrialOutcome[] outcomes = [Outcome(0, 0, null, TrialStatus.Failed), Outcome(2, 0, 9.0)];

        var board = Leaderboard.Build(configs, outcomes, 1, OptimizationMode.Min);

        Assert.Equal(2, board[0].Config.Id);
        Assert.All(board.Skip(1), r => Assert.Null(r.Mean));
        Assert.Equal("1 pending", board.Single(r => r.Config.Id == 1).State);
    }

    [Fact]
    public void Should_write_csv_with_a_header_parameters_in_name_order_and_one_row_per_config()
    {
        var board = Leaderboard.Build([Config(0, 0.001, 16), Config(1, 0.01, 32)],
            [Outcome(0, 0, 1.0), Outcome(0, 1, 3.0, TrialStatus.Pruned), Outcome(1, 0, 0.5)], 2, OptimizationMode.Min);

        var lines = Leaderboard.ToCsv(board, "val-loss").TrimEnd().Split(Environment.NewLine);

        Assert.Equal("rank,config,hidden,learning-rate,val-loss-mean,val-loss-sd,folds,epochs,state", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Equal("1,1,32,0.01,0.5,0,1/2,3,\"1 completed, 1 pending\"", lines[1]);
        Assert.Equal($"2,0,16,0.001,2,{Math.Sqrt(2).ToString("R", System.Globalization.CultureInfo.InvariantCulture)},2/2,3,\"1 completed, 1 pruned\"", lines[2]);
    }

    [Fact]
    public void Should_leave_mean_and_sd_empty_in_csv_for_a_config_without_results()
    {
        var board = Leaderboard.Build([Config(0)], [Outcome(0, 0, null, TrialStatus.Failed)], 1, OptimizationMode.Min);
        var row = Leaderboard.ToCsv(board, "val-loss").TrimEnd().Split(Environment.NewLine)[1];
        Assert.Equal("1,0,16,0.001,,,0/1,3,1 failed", row);
    }

    [Fact]
    public void Should_write_markdown_as_a_table_with_mean_plus_minus_sd_and_a_dash_for_no_result()
    {
        var board = Leaderboard.Build([Config(0), Config(1)], [Outcome(0, 0, 0.25), Outcome(0, 1, 0.75)], 2, OptimizationMode.Min);

        var lines = Leaderboard.ToMarkdown(board, "val-loss").TrimEnd().Split(Environment.NewLine);

        Assert.Equal("| rank | config | val-loss (mean ± sd) | folds | epochs | state |", lines[0]);
        Assert.Equal("|---:|---:|---|---:|---:|---|", lines[1]);
        Assert.Equal("| 1 | 0 | 0.5000 ± 0.3536 | 2/2 | 3 | 2 completed |", lines[2]);
        Assert.Equal("| 2 | 1 | — ± — | 0/2 | 0 | 2 pending |", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Should_show_in_markdown_only_the_parameters_that_vary_with_numbers_to_four_significant_digits()
    {
        TrialConfig With(int id, double rate) => new(id, Config(id).Parameters.With("learning-rate", ParamValue.Of(rate)));
        var board = Leaderboard.Build([With(0, 5.497469998243057E-05), With(1, 0.0012345678)],
            [Outcome(0, 0, 0.10820052594248168), Outcome(1, 0, 0.2)], 1, OptimizationMode.Min);

        var lines = Leaderboard.ToMarkdown(board, "val-loss").TrimEnd().Split(Environment.NewLine);

        Assert.Equal("| rank | config | learning-rate | val-loss (mean ± sd) | folds | epochs | state |", lines[0]);
        Assert.Equal("|---:|---:|---:|---|---:|---:|---|", lines[1]);
        Assert.Equal("| 1 | 0 | 5.497e-05 | 0.1082 ± 0 | 1/1 | 3 | 1 completed |", lines[2]);
        Assert.Equal("| 2 | 1 | 0.001235 | 0.2000 ± 0 | 1/1 | 3 | 1 completed |", lines[3]);
    }

    [Property(MaxTest = 300)]
    public bool Ranking_is_sorted_by_mean_in_the_better_direction_with_unranked_configs_last(int[] scores, bool maximise)
    {
        var mode = maximise ? OptimizationMode.Max : OptimizationMode.Min;
        var configs = scores.Select((_, i) => Config(i)).ToList();
        // A score divisible by 5 stands for a config whose only fold failed.
        var outcomes = scores.Select((s, i) => s % 5 == 0 ? Outcome(i, 0, null, TrialStatus.Failed) : Outcome(i, 0, s / 100.0)).ToList();

        var board = Leaderboard.Build(configs, outcomes, 1, mode);

        var ranked = board.TakeWhile(r => r.Mean is not null).Select(r => r.Mean!.Value).ToList();
        var sorted = maximise ? ranked.OrderDescending() : ranked.Order();
        return board.Select(r => r.Rank).SequenceEqual(Enumerable.Range(1, scores.Length))
            && ranked.SequenceEqual(sorted)
            && board.Skip(ranked.Count).All(r => r.Mean is null)
            && board.Select(r => r.Config.Id).Order().SequenceEqual(Enumerable.Range(0, scores.Length));
    }

    [Property(MaxTest = 300)]
    public bool Mean_lies_between_the_smallest_and_largest_fold_result(int[] folds)
    {
        if (folds.Length == 0) return true;
        var outcomes = folds.Select((v, fold) => Outcome(0, fold, v / 7.0)).ToList();
        var row = Leaderboard.Build([Config(0)], outcomes, folds.Length, OptimizationMode.Min).Single();
        var values = outcomes.Select(o => o.BestMetric!.Value).ToList();
        return row.Mean >= values.Min() - 1e-9 && row.Mean <= values.Max() + 1e-9 && row.StdDev >= 0;
    }
}
