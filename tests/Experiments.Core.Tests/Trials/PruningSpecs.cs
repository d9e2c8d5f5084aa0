using Experiments.Core.Spec;
using Experiments.Core.Trials;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Trials;

public sealed class PruningSpecs
{
    private static PruningSpec Median(int grace = 1, int minTrials = 3) => new(PruningRule.Median, grace, 3, minTrials);
    private static PruningSpec Asha(int grace = 1, int reductionFactor = 3, int minTrials = 2) => new(PruningRule.Asha, grace, reductionFactor, minTrials);

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

    [Property(MaxTest = 300)]
    public bool The_best_trial_at_every_epoch_is_never_pruned(int[] peerSeeds, byte epochs, bool asha, bool maximise)
    {
        var mode = maximise ? OptimizationMode.Max : OptimizationMode.Min;
        var length = 1 + epochs % 12;
        // Peers take values in [1, 2); the trial sits at 0.5 (min) or 2.5 (max): the best at every epoch.
        var peers = peerSeeds.Select(s => (IReadOnlyList<double>)Enumerable.Range(0, length).Select(e => 1 + Math.Abs((s + e * 7919) % 1000) / 1000.0).ToList()).ToList();
        var trial = Enumerable.Repeat(maximise ? 2.5 : 0.5, length).ToList();
        var spec = asha ? Asha(minTrials: 1) : Median(minTrials: 1);
        return Enumerable.Range(1, length).All(n => !Pruning.ShouldPrune(trial.Take(n).ToList(), peers, spec, mode));
    }
}
