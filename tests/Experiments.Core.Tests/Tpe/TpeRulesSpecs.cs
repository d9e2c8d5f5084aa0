using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Tpe;

/// <summary>
/// Expected values: Optuna v4.9.0's default_gamma, default_weights and _split_trials
/// (optuna/samplers/_tpe/sampler.py), the split run on a study of hand-made trials
/// (optuna.trial.create_trial with the same states, values and intermediate values), printed by
/// Reference/optuna_reference.py.
/// </summary>
public sealed class TpeRulesSpecs
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(30, 3)]
    [InlineData(31, 4)]
    [InlineData(200, 20)]
    [InlineData(240, 24)]
    [InlineData(241, 25)]
    [InlineData(300, 25)]
    public void Good_set_size_is_optunas_default_gamma(int finished, int good) =>
        Assert.Equal(good, TpeSettings.Default.GoodCount(finished));

    [Fact]
    public void Observation_weights_are_flat_up_to_25_then_ramp_up_for_the_oldest()
    {
        Assert.Empty(TpeRules.ObservationWeights(0));
        Assert.Equal([1.0, 1.0, 1.0], TpeRules.ObservationWeights(3));
        Assert.Equal(Enumerable.Repeat(1.0, 25), TpeRules.ObservationWeights(25));
        Near.All([0.038461538461538464, .. Enumerable.Repeat(1.0, 25)], TpeRules.ObservationWeights(26), 1e-15);
        Near.All([0.03333333333333333, 0.275, 0.5166666666666667, 0.7583333333333333, .. Enumerable.Repeat(1.0, 26)], TpeRules.ObservationWeights(30), 1e-15);
    }

    /// <summary>Eight configs: completed, pruned (last step, value), completed, in flight, pruned, completed (a tie), pruned, pruned with no value.</summary>
    private static (List<ToldConfig> Told, List<TrialConfig> InFlight) Study()
    {
        TrialConfig Config(int id) => new(id, ParameterSet.Empty.With("x", ParamValue.Of(id / 10.0)));
        var told = new List<ToldConfig>
        {
            new(Config(0), ConfigResult.Completed(0, 0.5)),
            new(Config(1), ConfigResult.Pruned(1, 0.4, 2)),
            new(Config(2), ConfigResult.Completed(2, 0.2)),
            new(Config(4), ConfigResult.Pruned(4, 0.1, 1)),
            new(Config(5), ConfigResult.Completed(5, 0.2)),
            new(Config(6), ConfigResult.Pruned(6, 0.35, 2)),
            new(Config(7), ConfigResult.Pruned(7, null, 0)),
        };
        return (told, [Config(3)]);
    }

    [Theory]
    [InlineData(OptimizationMode.Min, 0, new int[0], new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(OptimizationMode.Min, 2, new[] { 2, 5 }, new[] { 0, 1, 3, 4, 6, 7 })]
    [InlineData(OptimizationMode.Min, 4, new[] { 0, 2, 5, 6 }, new[] { 1, 3, 4, 7 })]
    [InlineData(OptimizationMode.Min, 5, new[] { 0, 1, 2, 5, 6 }, new[] { 3, 4, 7 })]
    [InlineData(OptimizationMode.Min, 7, new[] { 0, 1, 2, 4, 5, 6, 7 }, new[] { 3 })]
    [InlineData(OptimizationMode.Max, 2, new[] { 0, 2 }, new[] { 1, 3, 4, 5, 6, 7 })]
    [InlineData(OptimizationMode.Max, 4, new[] { 0, 1, 2, 5 }, new[] { 3, 4, 6, 7 })]
    [InlineData(OptimizationMode.Max, 5, new[] { 0, 1, 2, 5, 6 }, new[] { 3, 4, 7 })]
    public void Split_matches_optuna_completed_first_then_pruned_by_step_and_value_in_flight_always_bad(
        OptimizationMode direction, int goodCount, int[] good, int[] bad)
    {
        var (told, inFlight) = Study();

        var split = TpeRules.Split(told, inFlight, goodCount, direction);

        Assert.Equal(good, split.Good.Select(c => c.Id));
        Assert.Equal(bad, split.Bad.Select(c => c.Id));
    }

    [Fact]
    public void Failed_configs_and_nan_scores_are_not_observations()
    {
        var config = new TrialConfig(0, ParameterSet.Empty.With("x", ParamValue.Of(1)));
        var told = new[]
        {
            new ToldConfig(config, ConfigResult.Failed(0)),
            new ToldConfig(config with { Id = 1 }, ConfigResult.Completed(1, double.NaN)),
            new ToldConfig(config with { Id = 2 }, ConfigResult.Completed(2, 3.0)),
        };

        var split = TpeRules.Split(told, [], 1, OptimizationMode.Min);

        Assert.Equal([2], split.Good.Select(c => c.Id));
        Assert.Empty(split.Bad);
        Assert.False(TpeRules.Counts(ConfigResult.Failed(0)));
        Assert.True(TpeRules.Counts(ConfigResult.Pruned(0, null, 0)));
    }

    [Fact]
    public void Told_order_does_not_change_the_split()
    {
        var (told, inFlight) = Study();
        var reversed = Enumerable.Reverse(told).ToList();

        Assert.Equal(TpeRules.Split(told, inFlight, 4, OptimizationMode.Min).Good, TpeRules.Split(reversed, inFlight, 4, OptimizationMode.Min).Good);
        Assert.Equal(TpeRules.Split(told, inFlight, 4, OptimizationMode.Min).Bad, TpeRules.Split(reversed, inFlight, 4, OptimizationMode.Min).Bad);
    }

    [Fact]
    public void Acquisition_picks_the_candidate_optuna_picks()
    {
        // Optuna v4.9.0: TPESampler()._compute_acquisition_func on these estimators and candidates; np.argmax.
        var settings = TpeSettings.Default;
        var lr = new NumericalDimension("lr", 1e-4, 1e-1, 0, true);
        var good = new ParzenEstimator([lr], [[1e-3], [2e-3]], settings);
        var bad = new ParzenEstimator([lr], [[1e-2], [5e-2], [1e-4], [3e-2]], settings);
        double[][] candidates = [[1.5e-3], [5e-4], [2e-2], [1e-4]];

        Near.All([0.7845198061491292, 0.6903859374257344, -0.8150215331663313, 0.1206572204414722],
            candidates.Select(c => good.LogPdf(c) - bad.LogPdf(c)).ToList(), 1e-11);
        Assert.Equal(0, TpeSampler.BestCandidate(candidates, good, bad));

        var hidden = (NumericalDimension)TpeDimension.Of(new IntRangeDomain("hidden", 32, 256, 32))!;
        var goodHidden = new ParzenEstimator([hidden], [[96], [128]], settings);
        var badHidden = new ParzenEstimator([hidden], [[32], [256], [224], [64], [192]], settings);
        double[][] hiddenCandidates = [[96], [128], [160], [32]];

        Near.All([0.7052086016455106, 0.8666916753287432, 0.5579152009982762, -0.2814304163118093],
            hiddenCandidates.Select(c => goodHidden.LogPdf(c) - badHidden.LogPdf(c)).ToList(), 1e-11);
        Assert.Equal(1, TpeSampler.BestCandidate(hiddenCandidates, goodHidden, badHidden));
    }
}
