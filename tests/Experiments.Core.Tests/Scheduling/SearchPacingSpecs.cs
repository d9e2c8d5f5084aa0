using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using static Experiments.Core.Tests.Scheduling.SchedulerSpecs;

namespace Experiments.Core.Tests.Scheduling;

/// <summary>The search contract: asked lazily, told in config order, paced by max-in-flight when adaptive.</summary>
public sealed class SearchPacingSpecs
{
    /// <summary>An adaptive stand-in: config n depends on the scores told before it was asked; every call is logged.</summary>
    private sealed class RecordingSearch(int count, bool adaptive = true) : ISearchMethod
    {
        private double _told;
        private int _next;
        public List<string> Calls { get; } = new();
        public bool IsAdaptive => adaptive;
        public int? PlannedCount => count;

        public TrialConfig? Ask()
        {
            if (_next >= count) return null;
            Calls.Add($"ask {_next}");
            return new TrialConfig(_next++, ParameterSet.Empty.With("learning-rate", ParamValue.Of(0.001 + _told)));
        }

        public void Tell(ConfigResult result)
        {
            Calls.Add($"tell {result.ConfigId} {result.Outcome}");
            _told += result.Score ?? 0;
        }
    }

    private static ConfigResult Result(int id) => new(id, ConfigOutcome.Completed, 0.5, 3);

    /// <summary>Each config's loss depends on its parameters, so a search that saw other results would change the decisions.</summary>
    private static double Loss(TrialKey key, int epoch) => 1.0 / epoch + key.ConfigId % 4 * 0.1 + key.Fold * 0.05;

    [Fact]
    public void Should_read_max_in_flight_from_the_spec_with_a_default_of_4()
    {
        Assert.Equal(SearchSpec.DefaultMaxInFlight, Grid(configs: 1).Search.MaxInFlight);
        Assert.Equal(4, SearchSpec.DefaultMaxInFlight);
        Assert.Equal(2, Grid(configs: 1, search: "max-in-flight = 2").Search.MaxInFlight);
        var invalid = SpecLoader.LoadText("experiments.sweeps = [{ name = x, model = cnn, search { max-in-flight = 0 } }]", "x.hocon", "/tmp", TestFiles.Plain);
        Assert.Contains(invalid.Errors, e => e.ToString().Contains("search.max-in-flight"));
    }

    [Fact]
    public void Should_ask_config_n_only_once_configs_up_to_n_minus_max_in_flight_are_told_and_tell_in_id_order()
    {
        var search = new RecordingSearch(4);
        var pacer = new SearchPacer(search, maxInFlight: 2);

        Assert.NotNull(pacer.Ask());
        Assert.NotNull(pacer.Ask());
        Assert.Null(pacer.Ask());
        pacer.Finished(Result(1));
        Assert.Null(pacer.Ask());
        pacer.Finished(Result(0));
        Assert.NotNull(pacer.Ask());

        Assert.Equal(["ask 0", "ask 1", "tell 0 Completed", "ask 2", "tell 1 Completed"], search.Calls);
    }

    [Fact]
    public void Should_ask_a_non_adaptive_method_whenever_a_slot_frees()
    {
        var search = new RecordingSearch(4, adaptive: false);
        var pacer = new SearchPacer(search, maxInFlight: 1);

        Assert.All(Enumerable.Range(0, 4), _ => Assert.NotNull(pacer.Ask()));
        pacer.Finished(Result(2));
        pacer.Finished(Result(0));

        Assert.Equal(["ask 0", "ask 1", "ask 2", "ask 3", "tell 0 Completed"], search.Calls);
        Assert.True(pacer.Exhausted);
    }

    [Fact]
    public void Should_propose_the_same_configs_in_the_same_sequence_of_asks_and_tells_at_any_concurrency()
    {
        var spec = Grid(configs: 1, folds: 2, maxEpochs: 3, pruning: "pruning { rule = median, grace-epochs = 1, min-trials = 2 }",
            search: "max-in-flight = 2");
        var one = new RecordingSearch(8);
        var four = new RecordingSearch(8);

        Assert.True(new Simulation(spec, Loss, concurrency: 1, orderSeed: 1, one).Run());
        var wide = new Simulation(spec, Loss, concurrency: 4, orderSeed: 2, four);
        Assert.True(wide.Run());

        Assert.Equal(one.Calls, four.Calls);
        Assert.Equal(8, one.Calls.Count(c => c.StartsWith("tell")));
        Assert.InRange(wide.MaxConfigsRunning, 1, 2); // max-in-flight bounds the configs an adaptive sweep has in flight
        Assert.Equal(4, wide.MaxRunning); // and the slots it leaves free take those configs' further folds, where no rule can prune
    }

    [Fact]
    public void Should_replay_the_same_asks_and_tells_when_rebuilt_from_the_journal()
    {
        var spec = Grid(configs: 1, folds: 2, maxEpochs: 3, search: "max-in-flight = 2");
        var uninterrupted = new RecordingSearch(6);
        Assert.True(new Simulation(spec, Loss, concurrency: 2, orderSeed: 3, uninterrupted).Run());

        var before = new RecordingSearch(6);
        var killed = new Simulation(spec, Loss, concurrency: 2, orderSeed: 3, before);
        Assert.False(killed.Run(steps: 14));
        var after = new RecordingSearch(6);
        killed.Restart(after);

        Assert.Equal(before.Calls.Where(c => c.StartsWith("ask")), after.Calls.Where(c => c.StartsWith("ask")));
        Assert.Equal(uninterrupted.Calls.Take(after.Calls.Count), after.Calls);
        Assert.True(killed.Run());
        Assert.Equal(uninterrupted.Calls, after.Calls);
    }
}
