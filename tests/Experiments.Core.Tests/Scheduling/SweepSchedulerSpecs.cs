using System.Collections.Immutable;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Trials;
using static Experiments.Core.Tests.Scheduling.SchedulerSpecs;

namespace Experiments.Core.Tests.Scheduling;

/// <summary>The sweep's decisions, without actors: launch order, folds, pruning, retrain, recovery.</summary>
public sealed class SweepSchedulerSpecs
{
    private const string Median = "pruning { rule = median, grace-epochs = 1, min-trials = 2 }";
    private const string Hyperband = "pruning { rule = hyperband, grace-epochs = 1, reduction-factor = 2, min-trials = 1 }";
    private const string Patience2 = "early-stopping { metric = val-loss, mode = min, patience = 2 }";

    /// <summary>A deterministic val-loss with spread between configs and folds; configs 1, 4, 7… plateau after epoch 2.</summary>
    private static double Loss(TrialKey key, int epoch) =>
        (key.ConfigId * 7 + key.Fold * 3) % 5 * 0.1 + (key.ConfigId % 3 == 1 && epoch > 2 ? 0.5 : 1.0 / epoch);

    private static (SweepScheduler Scheduler, SweepRecord Record) Fresh(Core.Spec.SweepSpec spec)
    {
        var record = new SweepRecord();
        return (new SweepScheduler(spec, SearchMethods.Create(spec), record), record);
    }

    private static void Report(SweepRecord record, TrialKey key, int epoch, double loss) =>
        record.Epoch(key, new EpochMetrics(epoch, new Dictionary<string, double> { ["val-loss"] = loss }.ToImmutableSortedDictionary(), 1));

    private static void End(SweepScheduler scheduler, SweepRecord record, TrialKey key, TrialStatus status, double? best = 0.5, int epochs = 1, int? bestEpoch = 1)
    {
        record.End(new TrialOutcome(key, status, epochs, best, bestEpoch, "test"));
        scheduler.AfterEnd(key);
    }

    private static List<(TrialKey Key, int Epoch, Verdict Verdict, string Reason)> Sorted(Simulation run) =>
        run.Decisions.Distinct().OrderBy(d => d.Key.ConfigId).ThenBy(d => d.Key.Fold).ThenBy(d => d.Epoch).ToList();

    [Fact]
    public void Should_launch_configs_in_id_order_asking_the_search_only_for_the_free_slots()
    {
        var spec = Grid(configs: 3);
        var (scheduler, _) = Fresh(spec);

        var first = scheduler.NextLaunches(2);

        Assert.Equal([new TrialKey(0, 0), new TrialKey(1, 0)], first.Select(l => l.Key));
        Assert.Equal([0.0001, 0.0002], first.Select(l => l.Config.Parameters.Double("learning-rate")));
        Assert.All(first, l => Assert.Equal(spec.Training.MaxEpochs, l.MaxEpochs));
        Assert.All(first, l => Assert.False(l.Resumes));
        Assert.Empty(scheduler.NextLaunches(0));
        Assert.Equal(2, scheduler.Configs.Count);
        Assert.Equal(6, scheduler.TotalTrialFolds);
    }

    [Fact]
    public void Should_keep_the_seed_formula_so_results_do_not_change()
    {
        Assert.Equal(2704147, SweepScheduler.TrialSeed(0, new TrialKey(1, 0)));
        Assert.Equal(unchecked(42 * 7919 + 3 * 104729 + 3 * 1299709) & int.MaxValue, SweepScheduler.TrialSeed(42, new TrialKey(3, 1)));
        Assert.Equal(unchecked(7 * 7919 + 2 * 104729 + 1 * 1299709) & int.MaxValue, SweepScheduler.TrialSeed(7, new TrialKey(2, TrialKey.FinalFold)));
    }

    [Fact]
    public void Should_run_a_configs_folds_one_after_another_the_lowest_config_first()
    {
        var (scheduler, record) = Fresh(Grid(configs: 3));
        scheduler.NextLaunches(2);

        End(scheduler, record, new TrialKey(0, 0), TrialStatus.Completed);

        Assert.Equal([new TrialKey(0, 1)], scheduler.NextLaunches(1).Select(l => l.Key));
        End(scheduler, record, new TrialKey(1, 0), TrialStatus.Completed);
        Assert.Equal([new TrialKey(1, 1)], scheduler.NextLaunches(5).Select(l => l.Key).Take(1));
    }

    [Fact]
    public void Should_run_the_last_configs_folds_side_by_side_when_nothing_else_can_start_and_nothing_can_prune()
    {
        var (scheduler, record) = Fresh(Grid(configs: 2, folds: 3));
        scheduler.NextLaunches(2);
        End(scheduler, record, new TrialKey(0, 0), TrialStatus.Completed);
        Assert.Equal([new TrialKey(0, 1)], scheduler.NextLaunches(1).Select(l => l.Key));

        End(scheduler, record, new TrialKey(0, 1), TrialStatus.Completed);
        End(scheduler, record, new TrialKey(1, 0), TrialStatus.Completed);

        // Only two configs: with config 0's last fold and config 1's next one running, the third slot
        // takes config 1's last fold instead of idling.
        Assert.Equal([new TrialKey(0, 2), new TrialKey(1, 1), new TrialKey(1, 2)], scheduler.NextLaunches(3).Select(l => l.Key));
        Assert.Empty(scheduler.NextLaunches(1));
    }

    [Fact]
    public void Should_run_a_prunable_configs_folds_one_after_another_even_with_a_slot_free()
    {
        var (scheduler, record) = Fresh(Grid(configs: 3, folds: 3, pruning: Median));
        // Configs 0 and 1 are below min-trials (the median rule never prunes them): their folds fill the free slots.
        Assert.Equal([new TrialKey(0, 0), new TrialKey(1, 0), new TrialKey(2, 0), new TrialKey(0, 1), new TrialKey(0, 2), new TrialKey(1, 1)],
            scheduler.NextLaunches(6).Select(l => l.Key));

        // Config 2 can be pruned on its first fold: its next fold waits for that one, the free slots idle.
        Assert.Equal([new TrialKey(1, 2)], scheduler.NextLaunches(6).Select(l => l.Key));
        End(scheduler, record, new TrialKey(0, 0), TrialStatus.Completed);
        Assert.Empty(scheduler.NextLaunches(6));
        End(scheduler, record, new TrialKey(2, 0), TrialStatus.Completed);
        Assert.Equal([new TrialKey(2, 1)], scheduler.NextLaunches(6).Select(l => l.Key));
    }

    [Fact]
    public void Should_start_no_further_fold_of_a_config_pruned_on_its_first_fold_and_rank_it_as_pruned()
    {
        var (scheduler, record) = Fresh(Grid(configs: 3, folds: 3, pruning: Median));
        scheduler.NextLaunches(2);

        End(scheduler, record, new TrialKey(1, 0), TrialStatus.Pruned);

        Assert.Equal([new TrialKey(2, 0)], scheduler.NextLaunches(1).Select(l => l.Key));
        Assert.Equal("1 pruned, 2 skipped", scheduler.Leaderboard().Single(r => r.Config.Id == 1).State);
        Assert.Equal(3, scheduler.SettledTrialFolds);
    }

    [Fact]
    public void Should_run_the_next_fold_of_an_early_stopped_config()
    {
        var (scheduler, record) = Fresh(Grid(configs: 2, earlyStopping: Patience2));
        scheduler.NextLaunches(2);

        End(scheduler, record, new TrialKey(0, 0), TrialStatus.EarlyStopped);

        Assert.Equal([new TrialKey(0, 1)], scheduler.NextLaunches(1).Select(l => l.Key));
    }

    [Fact]
    public void Should_wait_for_a_lower_config_on_the_same_fold_and_decide_once_it_has_reported_that_epoch()
    {
        var (scheduler, record) = Fresh(Grid(configs: 3, pruning: "pruning { rule = median, grace-epochs = 1, min-trials = 1 }"));
        scheduler.NextLaunches(2);

        Report(record, new TrialKey(1, 0), 1, 0.9);
        Assert.Equal(Verdict.Wait, scheduler.AfterEpoch(new TrialKey(1, 0)).Verdict);
        Assert.Empty(scheduler.Unblocked());

        Report(record, new TrialKey(0, 0), 1, 0.5);
        Assert.Equal(Verdict.Continue, scheduler.AfterEpoch(new TrialKey(0, 0)).Verdict); // config 0 never waits on config 1
        var unblocked = Assert.Single(scheduler.Unblocked());
        Assert.Equal((new TrialKey(1, 0), 1, Verdict.Prune), (unblocked.Key, unblocked.Epoch, unblocked.Verdict));
        Assert.Equal(TrialStatus.Pruned, unblocked.EndStatus);
    }

    [Fact]
    public void Should_not_wait_for_a_lower_peer_that_ended_before_the_epoch()
    {
        var (scheduler, record) = Fresh(Grid(configs: 2, pruning: "pruning { rule = median, grace-epochs = 1, min-trials = 1 }"));
        scheduler.NextLaunches(2);
        Report(record, new TrialKey(0, 0), 1, 0.5);
        scheduler.AfterEpoch(new TrialKey(0, 0));
        End(scheduler, record, new TrialKey(0, 0), TrialStatus.EarlyStopped);

        Report(record, new TrialKey(1, 0), 1, 0.4);
        Report(record, new TrialKey(1, 0), 2, 0.9);

        Assert.Equal(Verdict.Continue, scheduler.AfterEpoch(new TrialKey(1, 0)).Verdict);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Should_make_the_same_decisions_at_any_concurrency_whatever_order_the_epochs_arrive_in(int concurrency)
    {
        var spec = Grid(configs: 9, folds: 3, maxEpochs: 6, pruning: Median, earlyStopping: Patience2);
        var reference = new Simulation(spec, Loss, concurrency: 1, orderSeed: 0);
        Assert.True(reference.Run());
        Assert.Contains(reference.Decisions, d => d.Verdict == Verdict.Prune);
        Assert.Contains(reference.Decisions, d => d.Verdict == Verdict.Stop);

        for (var orderSeed = 1; orderSeed <= 6; orderSeed++)
        {
            var run = new Simulation(spec, Loss, concurrency, orderSeed);
            Assert.True(run.Run());
            Assert.Equal(Sorted(reference), Sorted(run));
            Assert.InRange(run.MaxRunning, 1, concurrency);
        }
    }

    [Fact]
    public void Should_judge_a_hyperband_config_only_against_lower_configs_of_its_own_bracket()
    {
        // 3 epochs, grace 1, rf 3: brackets 0 (rungs 1, 3) and 1 (rung 3); config c is in bracket c mod 2.
        var (scheduler, record) = Fresh(Grid(configs: 3, maxEpochs: 3, pruning: "pruning { rule = hyperband, grace-epochs = 1, reduction-factor = 3, min-trials = 1 }"));
        scheduler.NextLaunches(3);

        Report(record, new TrialKey(1, 0), 1, 0.9);
        Assert.Equal(Verdict.Continue, scheduler.AfterEpoch(new TrialKey(1, 0)).Verdict); // no rung of bracket 1 at epoch 1
        Report(record, new TrialKey(2, 0), 1, 0.9);
        Assert.Equal(Verdict.Wait, scheduler.AfterEpoch(new TrialKey(2, 0)).Verdict); // waits on config 0, not on config 1

        Report(record, new TrialKey(0, 0), 1, 0.5);
        Assert.Equal(Verdict.Continue, scheduler.AfterEpoch(new TrialKey(0, 0)).Verdict);
        var unblocked = Assert.Single(scheduler.Unblocked());
        Assert.Equal((new TrialKey(2, 0), 1, Verdict.Prune), (unblocked.Key, unblocked.Epoch, unblocked.Verdict));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Should_make_the_same_hyperband_decisions_at_any_concurrency(int concurrency)
    {
        var spec = Grid(configs: 9, folds: 3, maxEpochs: 6, pruning: Hyperband);
        var reference = new Simulation(spec, Loss, concurrency: 1, orderSeed: 0);
        Assert.True(reference.Run());
        Assert.Contains(reference.Decisions, d => d.Verdict == Verdict.Prune);

        for (var orderSeed = 1; orderSeed <= 4; orderSeed++)
        {
            var run = new Simulation(spec, Loss, concurrency, orderSeed);
            Assert.True(run.Run());
            Assert.Equal(Sorted(reference), Sorted(run));
        }
    }

    [Fact]
    public void Should_launch_no_fold_after_the_one_a_config_was_pruned_on()
    {
        var spec = Grid(configs: 9, folds: 3, maxEpochs: 6, pruning: Median, earlyStopping: Patience2);
        var run = new Simulation(spec, Loss, concurrency: 3, orderSeed: 4);
        Assert.True(run.Run());

        var pruned = run.Decisions.Where(d => d.Verdict == Verdict.Prune).Select(d => d.Key).ToList();
        Assert.NotEmpty(pruned);
        foreach (var key in pruned)
            Assert.DoesNotContain(run.Launched, l => l.Key.ConfigId == key.ConfigId && l.Key.Fold > key.Fold);
        Assert.Equal(run.Scheduler.TotalTrialFolds, run.Scheduler.SettledTrialFolds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    public void Should_rebuild_from_the_replayed_record_and_go_on_with_the_same_decisions(int waitsBeforeTheKill)
    {
        var spec = Grid(configs: 9, folds: 3, maxEpochs: 6, pruning: Median, earlyStopping: Patience2, concurrency: 3);
        var uninterrupted = new Simulation(spec, Loss, concurrency: 3, orderSeed: 6);
        Assert.True(uninterrupted.Run());

        // Killed the n-th time a trial-fold is left waiting for its decision: the hardest moment.
        var killed = new Simulation(spec, Loss, concurrency: 3, orderSeed: 6);
        for (var waits = 0; waits < waitsBeforeTheKill;)
        {
            Assert.False(killed.Run(steps: 1));
            if (killed.Waiting > 0) waits++;
        }
        var interrupted = killed.Record.Interrupted.OrderBy(k => k.ConfigId).ToList();
        killed.Restart();
        Assert.True(killed.Run());

        Assert.Equal(Sorted(uninterrupted), Sorted(killed));
        var relaunched = killed.Launched.Where(l => l.Resumes).Select(l => l.Key).ToList();
        Assert.Equal(interrupted, relaunched.Take(interrupted.Count));
    }

    [Fact]
    public void Should_retrain_the_best_config_for_its_folds_mean_best_epoch_with_early_stopping()
    {
        var spec = Grid(configs: 2, earlyStopping: Patience2);
        var (scheduler, record) = Fresh(spec);
        scheduler.NextLaunches(2);
        End(scheduler, record, new TrialKey(0, 0), TrialStatus.Completed, best: 0.3, epochs: 4, bestEpoch: 2);
        End(scheduler, record, new TrialKey(1, 0), TrialStatus.Completed, best: 0.6, epochs: 4, bestEpoch: 4);
        scheduler.NextLaunches(2);
        End(scheduler, record, new TrialKey(0, 1), TrialStatus.EarlyStopped, best: 0.4, epochs: 4, bestEpoch: 4);
        End(scheduler, record, new TrialKey(1, 1), TrialStatus.Completed, best: 0.6, epochs: 4, bestEpoch: 4);
        Assert.Empty(scheduler.NextLaunches(2));
        Assert.True(scheduler.IsDone);

        Assert.Null(scheduler.FinalRetrain(hasTestSplit: false));
        var retrain = scheduler.FinalRetrain(hasTestSplit: true)!;

        Assert.Equal(new TrialKey(0, TrialKey.FinalFold), retrain.Key);
        Assert.Equal(3, retrain.MaxEpochs);
        Assert.Equal(SweepScheduler.TrialSeed(spec.Search.Seed, retrain.Key), retrain.Seed);
        Assert.False(scheduler.IsDone);
    }

    [Fact]
    public void Should_retrain_for_max_epochs_without_early_stopping_and_not_at_all_when_no_config_has_a_result()
    {
        var (scheduler, record) = Fresh(Grid(configs: 1, maxEpochs: 7));
        scheduler.NextLaunches(1);
        End(scheduler, record, new TrialKey(0, 0), TrialStatus.Completed, best: 0.3, epochs: 7, bestEpoch: 2);
        scheduler.NextLaunches(1);
        End(scheduler, record, new TrialKey(0, 1), TrialStatus.Completed, best: 0.3, epochs: 7, bestEpoch: 3);
        Assert.Equal(7, scheduler.FinalRetrain(hasTestSplit: true)!.MaxEpochs);

        var (failing, failed) = Fresh(Grid(configs: 1));
        failing.NextLaunches(1);
        End(failing, failed, new TrialKey(0, 0), TrialStatus.Failed, best: null, bestEpoch: null);
        failing.NextLaunches(1);
        End(failing, failed, new TrialKey(0, 1), TrialStatus.Failed, best: null, bestEpoch: null);
        Assert.True(failing.IsDone);
        Assert.Null(failing.Best);
        Assert.Null(failing.FinalRetrain(hasTestSplit: true));
    }
}
