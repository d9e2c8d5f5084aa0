using System.Collections.Immutable;
using Experiments.Core.Plots;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Core.Tests.Plots;

public sealed class PlotDataSpecs
{
    private const string Metric = "val-loss";

    private static TrialConfig Config(int id, double learningRate) =>
        new(id, ParameterSet.Empty.With("learning-rate", ParamValue.Of(learningRate)).With("optimizer", ParamValue.Of("adam")));

    private static EpochMetrics Epoch(int epoch, double loss) =>
        new(epoch, ImmutableSortedDictionary<string, double>.Empty.Add(Metric, loss).Add("val-accuracy", 1 - loss), 1.0);

    /// <summary>Config 0: two folds of three epochs, completed. Config 1: fold 0 three epochs, fold 1 pruned after one.</summary>
    private static (SweepRecord Record, ImmutableArray<LeaderboardRow> Board) TwoConfigs()
    {
        var record = new SweepRecord();
        void Run(int config, int fold, TrialStatus status, params double[] losses)
        {
            var key = new TrialKey(config, fold);
            record.Start(key);
            for (var i = 0; i < losses.Length; i++) record.Epoch(key, Epoch(i + 1, losses[i]));
            record.End(new TrialOutcome(key, status, losses.Length, losses.Min(), 1, "test"));
        }
        Run(0, 0, TrialStatus.Completed, 1.0, 0.8, 0.6);
        Run(0, 1, TrialStatus.Completed, 1.2, 0.6, 0.4);
        Run(1, 0, TrialStatus.EarlyStopped, 2.0, 1.5, 1.4);
        Run(1, 1, TrialStatus.Pruned, 3.0);
        var board = Leaderboard.Build([Config(0, 0.001), Config(1, 0.1)], record.Outcomes.Values, 2, OptimizationMode.Min);
        return (record, board);
    }


    [Fact]
    public void Should_average_each_epoch_over_the_folds_that_reached_it_with_their_min_and_max()
    {
        var (record, board) = TwoConfigs();

        var set = LearningCurves.Build(record, board, Metric);

        var first = set.Curves.Single(c => c.Config.Id == 0).Points;
        Assert.Equal([1, 2, 3], first.Select(p => p.Epoch));
        Assert.Equal(1.1, first[0].Mean, 12);
        Assert.Equal((1.0, 1.2), (first[0].Min, first[0].Max));
        Assert.Equal(0.5, first[2].Mean, 12);
        var second = set.Curves.Single(c => c.Config.Id == 1).Points;
        Assert.Equal([2, 1, 1], second.Select(p => p.Folds));
        Assert.Equal(2.5, second[0].Mean, 12);
        Assert.Equal(1.5, second[1].Mean, 12); // only fold 0 reached epoch 2
        Assert.Equal(1.5, second[1].Min);
    }

    [Fact]
    public void Should_name_the_leaderboards_leader_as_the_best_config_and_carry_its_score()
    {
        var (record, board) = TwoConfigs();

        var set = LearningCurves.Build(record, board, Metric);

        Assert.Equal(0, set.BestConfigId);
        Assert.Equal(Metric, set.Metric);
        Assert.Equal(0.5, set.Curves.Single(c => c.Config.Id == 0).Score!.Value, 12);
    }

    [Fact]
    public void Should_mark_where_each_pruned_or_early_stopped_trial_fold_ended_and_leave_completed_ones_unmarked()
    {
        var (record, board) = TwoConfigs();

        var set = LearningCurves.Build(record, board, Metric);

        Assert.Empty(set.Curves.Single(c => c.Config.Id == 0).Ends);
        var ends = set.Curves.Single(c => c.Config.Id == 1).Ends;
        Assert.Equal(
            [new CurveEnd(new TrialKey(1, 0), 3, 1.4, TrialStatus.EarlyStopped), new CurveEnd(new TrialKey(1, 1), 1, 3.0, TrialStatus.Pruned)],
            ends);
    }

    [Fact]
    public void Should_leave_a_running_trial_fold_unmarked_and_the_final_retrain_out_of_the_curves()
    {
        var (record, board) = TwoConfigs();
        var running = new TrialKey(2, 0);
        record.Start(running);
        record.Epoch(running, Epoch(1, 0.9));
        record.Epoch(new TrialKey(0, TrialKey.FinalFold), Epoch(1, 99));
        var rows = Leaderboard.Build([Config(0, 0.001), Config(1, 0.1), Config(2, 0.01)], record.Outcomes.Values, 2, OptimizationMode.Min);

        var set = LearningCurves.Build(record, rows, Metric);

        var third = set.Curves.Single(c => c.Config.Id == 2);
        Assert.Equal(0.9, Assert.Single(third.Points).Mean);
        Assert.Empty(third.Ends);
        Assert.Null(third.Score);
        Assert.Equal(1.1, set.Curves.Single(c => c.Config.Id == 0).Points[0].Mean, 12);
    }

    [Fact]
    public void Should_give_each_swept_parameter_its_scores_with_a_log_axis_for_a_log_uniform_domain()
    {
        var (_, board) = TwoConfigs();
        var space = new SearchSpace([new LogUniformDomain("learning-rate", 1e-4, 1, null), new FixedDomain("optimizer", ParamValue.Of("adam"))]);

        var parameter = Assert.Single(ParameterScores.Build(space, board));

        Assert.Equal("learning-rate", parameter.Name);
        Assert.True(parameter.LogScale);
        Assert.Null(parameter.Categories);
        Assert.Equal([0.001, 0.1], parameter.Points.Select(p => p.Number!.Value));
        Assert.Equal(0.5, parameter.Points[0].Score, 12);
    }

    [Fact]
    public void Should_place_a_choice_parameters_values_as_categories_on_a_linear_axis()
    {
        var (_, board) = TwoConfigs();
        var space = new SearchSpace([new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")])]);

        var parameter = Assert.Single(ParameterScores.Build(space, board));

        Assert.False(parameter.LogScale);
        Assert.Equal(["adam"], parameter.Categories);
        Assert.Equal(2, parameter.Points.Count);
    }
}
