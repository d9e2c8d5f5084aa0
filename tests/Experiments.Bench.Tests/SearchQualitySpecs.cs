using System.Collections.Immutable;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Trials;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training.Cnn;

namespace Experiments.Bench.Tests;

public sealed class SearchQualitySpecs : IDisposable
{
    private const string Metric = SearchQuality.Metric;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TrialConfig Config(int id, double learningRate) =>
        new(id, CnnModel.Definition.Defaults.With("learning-rate", ParamValue.Of(learningRate)));

    private void History(TrialKey key, params double[] accuracies)
    {
        var files = new TrialFiles(Path.Combine(_dir.Path, "trials", key.Name), Metric);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "trials", key.Name));
        for (var e = 0; e < accuracies.Length; e++)
            files.Append(new EpochMetrics(e + 1, ImmutableSortedDictionary<string, double>.Empty.Add("val-loss", 0.1).Add(Metric, accuracies[e]), 2.0), e == 0);
    }

    /// <summary>
    /// Config 0 completes its 3 folds (mean 0.96), config 1 is pruned on its first fold after one
    /// epoch at 0.99 (top of the leaderboard on 1 fold), config 2 stops early on all three (0.9);
    /// config 0 is retrained for 6 epochs of 2 s.
    /// </summary>
    private void WriteSweep()
    {
        var configs = new[] { Config(0, 1e-3), Config(1, 1e-2), Config(2, 1e-4) };
        var outcomes = new List<TrialOutcome>();
        void Fold(int config, int fold, TrialStatus status, params double[] accuracies)
        {
            var key = new TrialKey(config, fold);
            History(key, accuracies);
            outcomes.Add(new TrialOutcome(key, status, accuracies.Length, accuracies.Max(), Array.IndexOf(accuracies, accuracies.Max()) + 1, ""));
        }
        Fold(0, 0, TrialStatus.Completed, 0.9, 0.93, 0.94, 0.945, 0.948, 0.95);
        Fold(0, 1, TrialStatus.Completed, 0.9, 0.93, 0.94, 0.945, 0.948, 0.96);
        Fold(0, 2, TrialStatus.EarlyStopped, 0.9, 0.97, 0.96, 0.96, 0.95);
        Fold(1, 0, TrialStatus.Pruned, 0.99);
        Fold(2, 0, TrialStatus.EarlyStopped, 0.9, 0.89, 0.88);
        Fold(2, 1, TrialStatus.EarlyStopped, 0.9, 0.89, 0.88);
        Fold(2, 2, TrialStatus.EarlyStopped, 0.9, 0.89, 0.88);
        History(new TrialKey(0, TrialKey.FinalFold), 0.9, 0.93, 0.94, 0.95, 0.96, 0.97);

        var board = Leaderboard.Build(configs, outcomes, folds: 3, OptimizationMode.Max);
        var results = new SweepResults(_dir.Path);
        results.WriteLeaderboard(board, Metric);
        results.WriteSummary(new SweepSummary("s", SweepStates.Completed, Metric, OptimizationMode.Max, board, configs[1], 0.975,
            new Dictionary<string, double> { [Metric] = 0.975 }, TrialFolds: 7, Failed: 0, _dir.Path));
    }

    [Fact]
    public void Should_read_the_best_config_its_folds_and_the_test_score_from_the_sweep_folder()
    {
        WriteSweep();

        var measure = SweepMeasure.Read(_dir.Path, Metric);

        Assert.Equal(1, measure.BestConfig);
        Assert.Equal(0.99, measure.BestMean);
        Assert.Equal(1, measure.BestFolds);
        Assert.Equal(0.975, measure.TestScore);
        Assert.Equal(1, measure.PrunedConfigs);
    }

    [Fact]
    public void Should_take_the_best_unpruned_config_with_every_fold_apart_from_a_pruned_leader()
    {
        WriteSweep();

        Assert.Equal((0.95 + 0.96 + 0.97) / 3, SweepMeasure.Read(_dir.Path, Metric).BestCompleteMean!.Value, 12);
    }

    [Fact]
    public void Should_count_every_trial_folds_epochs_but_not_the_final_retrain()
    {
        WriteSweep();

        var measure = SweepMeasure.Read(_dir.Path, Metric);

        Assert.Equal(6 + 6 + 5 + 1 + 3 * 3, measure.Epochs);
        Assert.Equal(7, measure.TrialFolds);
        Assert.Equal(12.0, measure.FinalSeconds);
    }

    [Fact]
    public void Should_say_which_file_holds_no_ranked_config()
    {
        new SweepResults(_dir.Path).WriteLeaderboard([], Metric);

        var error = Assert.Throws<InvalidDataException>(() => SweepMeasure.Read(_dir.Path, Metric));

        Assert.Contains("leaderboard.csv", error.Message);
    }

    [Fact]
    public void Should_keep_full_precision_through_the_csv()
    {
        var run = new SearchQuality.Run(SearchQuality.Tpe4, 3,
            new SweepMeasure(7, 0.1 + 0.2, 3, 0.9876543210123, null, 131, 30, 0, 41.123456789), 1234.56789012345);

        var back = SearchQuality.ParseCsvLine(SearchQuality.CsvLine(run));

        Assert.Equal(run, back);
        Assert.Equal(SearchQuality.CsvHeader.Split(',').Length, SearchQuality.CsvLine(run).Split(',').Length);
    }

    [Theory]
    [InlineData("random", SearchMethodKind.Random, null, PruningRule.None)]
    [InlineData("tpe", SearchMethodKind.Tpe, 10, PruningRule.None)]
    [InlineData("tpe4", SearchMethodKind.Tpe, 4, PruningRule.None)]
    [InlineData("asha", SearchMethodKind.Random, null, PruningRule.Asha)]
    [InlineData("hyperband", SearchMethodKind.Random, null, PruningRule.Hyperband)]
    public void Should_generate_a_valid_spec_of_the_measured_sweep_for_every_variant(string key, SearchMethodKind method, int? startup, PruningRule rule)
    {
        var spec = Orchestration.Load(SearchQuality.Spec(SearchQuality.ByKey(key), seed: 3));

        Assert.Equal((method, 12, 3), (spec.Search.Method, spec.Search.Samples, spec.Search.Seed));
        Assert.Equal(startup, spec.Search.Tpe?.StartupTrials);
        Assert.Equal(rule, spec.Pruning.Rule);
        Assert.Equal((3, 0.2), (spec.CrossValidation.Folds, spec.CrossValidation.TestFraction));
        Assert.Equal((6, Metric, 2), (spec.Training.MaxEpochs, spec.EarlyStopping.Metric, spec.EarlyStopping.Patience));
        Assert.Equal(2, spec.Resources.MaxConcurrentTrials);
        Assert.Equal(new[] { "dropout", "hidden", "learning-rate" }, spec.Search.Space.Parameters.Select(p => p.Name).Order().ToArray());
    }

    /// <summary>The configs a sweep of this spec gets, told in config order as the sweep tells them (scores: the learning rate).</summary>
    private static List<TrialConfig> Paced(SearchQuality.Variant variant, int seed)
    {
        var spec = Orchestration.Load(SearchQuality.Spec(variant, seed));
        var pacer = new SearchPacer(SearchMethods.Create(spec), spec.Search.MaxInFlight);
        var configs = new List<TrialConfig>();
        for (var told = 0; ; told++)
        {
            while (pacer.Ask() is { } config) configs.Add(config);
            if (told == configs.Count) return configs;
            pacer.Finished(ConfigResult.Completed(told, configs[told].Parameters.Double("learning-rate")));
        }
    }

    [Fact]
    public void Should_draw_exactly_random_searchs_12_configs_with_tpes_default_10_startup_trials()
    {
        Assert.Equal(Paced(SearchQuality.Random, 3), Paced(SearchQuality.Tpe, 3));
    }

    [Fact]
    public void Should_choose_configs_7_to_11_by_tpe_with_4_startup_trials_and_4_in_flight()
    {
        var random = Paced(SearchQuality.Random, 3);
        var tpe = Paced(SearchQuality.Tpe4, 3);

        Assert.Equal(random.Take(7), tpe.Take(7));
        Assert.All(Enumerable.Range(7, 5), i => Assert.NotEqual(random[i].Parameters, tpe[i].Parameters));
    }

    [Fact]
    public void Should_name_the_variants_a_comma_list_asks_for_and_reject_an_unknown_one()
    {
        Assert.Equal(new[] { SearchQuality.Random, SearchQuality.Tpe4 }, SearchQuality.Variants("random,tpe4").ToArray());
        Assert.Contains("'bogus'", Assert.Throws<ArgumentException>(() => SearchQuality.Variants("random,bogus")).Message);
    }

    [Fact]
    public void Should_give_mean_and_sample_standard_deviation_and_zero_spread_for_one_value()
    {
        Assert.Equal((2.0, 1.0), SearchQuality.MeanSd([1, 2, 3]));
        Assert.Equal((5.0, 0.0), SearchQuality.MeanSd([5]));
    }
}
