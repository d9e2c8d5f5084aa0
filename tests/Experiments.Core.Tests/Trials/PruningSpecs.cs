using Experiments.Core.Spec;
using Experiments.Core.Trials;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Trials;

public sealed class PruningSpecs
{
    private static PruningSpec Median(int grace = 1, int minTrials = 3) => new(PruningRule.Median, grace, 3, minTrials);
    private static PruningSpec Asha(int grace = 1, int reductionFactor = 3, int minTrials = 2) => new(PruningRule.Asha, grace, reductionFactor, minTrials);

    private static PruningSpec HyperbandRule(int grace = 1, int reductionFactor = 3, int minTrials = 2) => new(PruningRule.Hyperband, grace, reductionFactor, minTrials);

    private static IReadOnlyList<double>[] Peers(params double[][] histories) => histories.Select(h => (IReadOnlyList<double>)h).ToArray();

    [Fact]
    public void Should_never_prune_with_rule_none()
    {
        var spec = new PruningSpec(PruningRule.None, 1, 3, 1);
        Assert.False(Pruning.ShouldPrune([9.0, 9.0], Peers([1.0, 1.0], [1.0, 1.0]), spec, OptimizationMode.Min));
    }

    [Fact]
    public void Should_prune_by_median_when_the_best_so_far_is_worse_than_the_peers_median_at_that_epoch()
    {
        var peers = Peers([3.0, 1.0], [3.0, 1.2], [3.0, 1.4]);
        Assert.True(Pruning.ShouldPrune([2.0, 2.0], peers, Median(), OptimizationMode.Min));
        Assert.False(Pruning.ShouldPrune([2.0, 1.1], peers, Median(), OptimizationMode.Min));
    }

    [Fact]
    public void Should_judge_by_the_trials_best_so_far_not_its_latest_value_under_median()
    {
        var peers = Peers([1.0, 1.0], [1.0, 1.0], [1.0, 1.0]);
        Assert.False(Pruning.ShouldPrune([0.5, 2.0], peers, Median(), OptimizationMode.Min));
    }

    [Fact]
    public void Should_take_the_mean_of_the_middle_two_as_median_of_an_even_number_of_peers()
    {
        var peers = Peers([1.0], [2.0], [3.0], [4.0]);
        Assert.True(Pruning.ShouldPrune([2.6], peers, Median(minTrials: 4), OptimizationMode.Min));
        Assert.False(Pruning.ShouldPrune([2.4], peers, Median(minTrials: 4), OptimizationMode.Min));
    }

    [Fact]
    public void Should_prune_low_values_by_median_in_max_mode()
    {
        var peers = Peers([0.9], [0.8], [0.85]);
        Assert.True(Pruning.ShouldPrune([0.5], peers, Median(), OptimizationMode.Max));
        Assert.False(Pruning.ShouldPrune([0.95], peers, Median(), OptimizationMode.Max));
    }

    [Fact]
    public void Should_not_prune_during_the_grace_epochs()
    {
        var peers = Peers([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]);
        Assert.False(Pruning.ShouldPrune([5.0, 5.0], peers, Median(grace: 3), OptimizationMode.Min));
        Assert.True(Pruning.ShouldPrune([5.0, 5.0, 5.0], peers, Median(grace: 3), OptimizationMode.Min));
    }

    [Fact]
    public void Should_wait_for_min_trials_peers_that_reached_the_same_epoch()
    {
        var peers = Peers([1.0, 1.0], [1.0, 1.0], [1.0]);
        Assert.False(Pruning.ShouldPrune([5.0, 5.0], peers, Median(minTrials: 3), OptimizationMode.Min));
        Assert.True(Pruning.ShouldPrune([5.0, 5.0], peers, Median(minTrials: 2), OptimizationMode.Min));
    }

    [Theory]
    [InlineData(1, 3, new[] { 1, 3, 9, 27 }, new[] { 2, 4, 8, 10 })]
    [InlineData(2, 2, new[] { 2, 4, 8, 16 }, new[] { 1, 3, 5, 6 })]
    public void Should_place_asha_rungs_at_grace_times_powers_of_the_reduction_factor(int grace, int reductionFactor, int[] rungs, int[] notRungs)
    {
        var spec = Asha(grace, reductionFactor);
        Assert.All(rungs, epoch => Assert.True(Pruning.IsRung(epoch, spec), $"epoch {epoch} should be a rung"));
        Assert.All(notRungs, epoch => Assert.False(Pruning.IsRung(epoch, spec), $"epoch {epoch} should not be a rung"));
    }

    [Fact]
    public void Should_keep_only_the_top_fraction_at_an_asha_rung()
    {
        // Rungs at 1, 3, 9; at epoch 3 four trials → keep the best 4 / 3 = 1.
        var peers = Peers([1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]);
        Assert.True(Pruning.ShouldPrune([4.0, 4.0, 4.0], peers, Asha(), OptimizationMode.Min));
        Assert.True(Pruning.ShouldPrune([4.0, 4.0, 1.5], peers, Asha(), OptimizationMode.Min));
        Assert.False(Pruning.ShouldPrune([4.0, 4.0, 0.5], peers, Asha(), OptimizationMode.Min));
    }

    [Fact]
    public void Should_not_prune_between_asha_rungs()
    {
        var peers = Peers([1.0, 1.0], [2.0, 2.0], [3.0, 3.0]);
        Assert.False(Pruning.ShouldPrune([4.0, 4.0], peers, Asha(), OptimizationMode.Min));
    }

    [Fact]
    public void Should_rank_asha_peers_by_their_best_so_far_in_max_mode()
    {
        var peers = Peers([0.2, 0.9, 0.1], [0.5, 0.5, 0.5], [0.4, 0.4, 0.4]);
        Assert.True(Pruning.ShouldPrune([0.6, 0.6, 0.6], peers, Asha(), OptimizationMode.Max));
        Assert.False(Pruning.ShouldPrune([0.6, 0.6, 0.95], peers, Asha(), OptimizationMode.Max));
    }

    [Fact]
    public void Should_wait_for_min_trials_before_an_asha_decision()
    {
        var peers = Peers([1.0], [2.0]);
        Assert.False(Pruning.ShouldPrune([4.0], peers, Asha(minTrials: 3), OptimizationMode.Min));
        Assert.True(Pruning.ShouldPrune([4.0], peers, Asha(minTrials: 2), OptimizationMode.Min));
    }

    [Theory]
    [InlineData(1, 3, 10, 3)]   // rungs 1, 3, 9 fit in 10 epochs: s_max = 2
    [InlineData(1, 3, 9, 3)]    // an exact power counts
    [InlineData(1, 3, 8, 2)]
    [InlineData(2, 2, 16, 4)]   // 2, 4, 8, 16
    [InlineData(1, 3, 1, 1)]    // one epoch: one bracket, plain successive halving
    [InlineData(5, 3, 3, 1)]    // grace beyond max-epochs: still one bracket
    public void Should_count_hyperband_brackets_as_floor_of_log_rf_of_max_epochs_over_grace_plus_one(int grace, int reductionFactor, int maxEpochs, int brackets)
    {
        Assert.Equal(brackets, Hyperband.Brackets(HyperbandRule(grace, reductionFactor), maxEpochs));
    }

    [Fact]
    public void Should_assign_a_config_to_the_bracket_of_its_id_modulo_the_bracket_count()
    {
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], Enumerable.Range(0, 7).Select(id => Hyperband.BracketOf(id, 3)));
        Assert.All(Enumerable.Range(0, 5), id => Assert.Equal(0, Hyperband.BracketOf(id, 1)));
    }

    [Theory]
    [InlineData(0, new[] { 1, 3, 9 }, new[] { 2, 4, 8 })]
    [InlineData(1, new[] { 3, 9, 27 }, new[] { 1, 2, 4 })]
    [InlineData(2, new[] { 9, 27 }, new[] { 1, 3, 8 })]
    public void Should_start_the_rungs_of_hyperband_bracket_s_at_grace_times_rf_to_the_s(int bracket, int[] rungs, int[] notRungs)
    {
        var spec = HyperbandRule();
        Assert.All(rungs, epoch => Assert.True(Pruning.IsRung(epoch, spec, bracket), $"epoch {epoch} should be a rung of bracket {bracket}"));
        Assert.All(notRungs, epoch => Assert.False(Pruning.IsRung(epoch, spec, bracket), $"epoch {epoch} should not be a rung of bracket {bracket}"));
    }

    [Fact]
    public void Should_prune_in_hyperband_bracket_0_like_asha_at_its_first_rung()
    {
        var peers = Peers([1.0], [2.0], [3.0]);
        Assert.True(Pruning.ShouldPrune([4.0], peers, HyperbandRule(), OptimizationMode.Min, bracket: 0));
        Assert.False(Pruning.ShouldPrune([0.5], peers, HyperbandRule(), OptimizationMode.Min, bracket: 0));
    }

    [Fact]
    public void Should_not_prune_a_later_hyperband_bracket_before_its_first_rung()
    {
        var early = Peers([1.0], [2.0], [3.0]);
        Assert.False(Pruning.ShouldPrune([4.0], early, HyperbandRule(), OptimizationMode.Min, bracket: 1));
        var atRung = Peers([1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]);
        Assert.True(Pruning.ShouldPrune([4.0, 4.0, 4.0], atRung, HyperbandRule(), OptimizationMode.Min, bracket: 1));
        Assert.False(Pruning.ShouldPrune([4.0, 4.0, 4.0], atRung, HyperbandRule(), OptimizationMode.Min, bracket: 2));
    }

    [Fact]
    public void Should_wait_for_min_trials_peers_before_a_hyperband_decision()
    {
        var peers = Peers([1.0], [2.0]);
        Assert.False(Pruning.ShouldPrune([4.0], peers, HyperbandRule(minTrials: 3), OptimizationMode.Min));
        Assert.True(Pruning.ShouldPrune([4.0], peers, HyperbandRule(minTrials: 2), OptimizationMode.Min));
    }

    [Property(MaxTest = 300)]
    public bool The_best_trial_at_every_epoch_is_never_pruned(int[] peerSeeds, byte epochs, byte rule, bool maximise)
    {
        var mode = maximise ? OptimizationMode.Max : OptimizationMode.Min;
        var length = 1 + epochs % 12;
        // Peers take values in [1, 2); the trial sits at 0.5 (min) or 2.5 (max): the best at every epoch.
        var peers = peerSeeds.Select(s => (IReadOnlyList<double>)Enumerable.Range(0, length).Select(e => 1 + Math.Abs((s + e * 7919) % 1000) / 1000.0).ToList()).ToList();
        var trial = Enumerable.Repeat(maximise ? 2.5 : 0.5, length).ToList();
        var spec = (rule % 3) switch { 0 => Median(minTrials: 1), 1 => Asha(minTrials: 1), _ => HyperbandRule(minTrials: 1) };
        return Enumerable.Range(1, length).All(n => Enumerable.Range(0, 3).All(bracket => !Pruning.ShouldPrune(trial.Take(n).ToList(), peers, spec, mode, bracket)));
    }
}
