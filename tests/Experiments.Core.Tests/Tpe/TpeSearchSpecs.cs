using Experiments.Training.Cnn;
using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Tpe;

public sealed class TpeSearchSpecs
{
    private static readonly ParameterSet Defaults = CnnModel.Definition.Defaults;

    /// <summary>Every domain kind at once: log-uniform, uniform, int-range with a step, a word choice, a fixed value.</summary>
    internal static readonly SearchSpace Mixed = new([
        new LogUniformDomain("learning-rate", 1e-5, 1e-1, null),
        new UniformDomain("dropout", 0, 0.8, null),
        new IntRangeDomain("hidden", 16, 250, 8),
        new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd"), ParamValue.Of("rmsprop")]),
        new FixedDomain("batch-size", ParamValue.Of(32)),
    ]);

    /// <summary>A cheap objective on <see cref="Mixed"/> with its minimum 0 at lr 1e-3, dropout 0.3, hidden 128, sgd.</summary>
    internal static double Objective(ParameterSet p) =>
        Math.Pow(Math.Log10(p.Double("learning-rate")) + 3, 2)
        + Math.Pow((p.Double("dropout") - 0.3) / 0.3, 2)
        + Math.Pow((p.Double("hidden") - 128) / 64, 2)
        + (p.Text("optimizer") == "sgd" ? 0 : 1);

    private static TpeSearch Tpe(int seed, TpeSettings? settings = null, OptimizationMode direction = OptimizationMode.Min, int samples = 40, SearchSpace? space = null) =>
        new(space ?? Mixed, Defaults, samples, seed, direction, settings ?? TpeSettings.Default);

    /// <summary>Asks and tells one config at a time (concurrency 1), scoring with <paramref name="score"/>.</summary>
    private static List<TrialConfig> RunSequentially(ISearchMethod method, Func<TrialConfig, ConfigResult> score)
    {
        var configs = new List<TrialConfig>();
        while (method.Ask() is { } config)
        {
            configs.Add(config);
            method.Tell(score(config));
        }
        return configs;
    }

    private static ConfigResult Scored(TrialConfig c) => ConfigResult.Completed(c.Id, Objective(c.Parameters));

    [Fact]
    public void Startup_configs_are_exactly_those_of_a_random_search_with_the_same_seed()
    {
        var tpe = RunSequentially(Tpe(7, samples: 10), Scored);
        var random = SearchMethods.All(new RandomSearch(Mixed, Defaults, 10, 7));

        Assert.Equal(random, tpe);
    }

    [Fact]
    public void After_startup_configs_come_from_the_model_not_from_the_random_search()
    {
        var tpe = RunSequentially(Tpe(7, samples: 20), Scored);
        var random = SearchMethods.All(new RandomSearch(Mixed, Defaults, 20, 7));

        Assert.All(Enumerable.Range(10, 10), i => Assert.NotEqual(random[i].Parameters, tpe[i].Parameters));
    }

    [Property(MaxTest = 25)]
    public bool Every_config_lies_in_its_domains_and_carries_the_full_hyperparameter_set(int seed, bool multivariate)
    {
        var random = new SplitMix64((ulong)(uint)seed);
        var configs = RunSequentially(Tpe(seed, TpeSettings.Default with { Multivariate = multivariate }, samples: 25),
            c => ConfigResult.Completed(c.Id, random.NextDouble()));
        return configs.Count == 25
            && configs.All(c => Mixed.Parameters.All(d => DomainValues.Contains(d, c.Parameters[d.Name])))
            && configs.All(c => c.Parameters.Values.Keys.SequenceEqual(Defaults.Values.Keys));
    }

    [Fact]
    public void The_same_seed_and_results_give_the_same_configs_and_another_seed_other_configs()
    {
        var first = RunSequentially(Tpe(3), Scored);
        var second = RunSequentially(Tpe(3), Scored);
        var other = RunSequentially(Tpe(4), Scored);

        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(c => c.Parameters), other.Select(c => c.Parameters));
    }

    [Fact]
    public void Config_n_is_a_pure_function_of_seed_n_told_results_and_configs_in_flight()
    {
        var search = Tpe(5);
        var told = new List<ToldConfig>();
        for (var i = 0; i < 14; i++)
        {
            var config = search.Ask()!;
            var result = Scored(config);
            search.Tell(result);
            told.Add(new ToldConfig(config, result));
        }
        var inFlight = new[] { search.Ask()!, search.Ask()! };
        var next = search.Ask()!;

        // A sampler built from scratch, told the same in a scrambled order, proposes the same config.
        var fresh = new TpeSampler(Mixed, TpeSettings.Default, OptimizationMode.Min, 5);
        var scrambled = told.OrderBy(t => (t.Config.Id * 7) % 5).ToList();

        Assert.Equal(next.Parameters, Defaults.Override(fresh.Suggest(next.Id, scrambled, inFlight)));
        Assert.Equal([.. inFlight, next], search.InFlight);
    }

    [Fact]
    public void A_scheduler_that_tells_in_config_order_with_a_fixed_lag_gets_the_same_configs_at_any_concurrency_and_finish_order()
    {
        // Before asking config n the scheduler tells exactly configs 0 … n−3 (in order, holding back
        // later results), so configs n−2 and n−1 are in flight from the search's point of view,
        // whether or not they are still running. Then the configs depend neither on how many run at
        // once (up to the lag) nor on which finishes first.
        const int Lag = 2, Count = 30;
        List<TrialConfig> Run(int slots, int finishOrderSeed)
        {
            var search = Tpe(11, samples: Count);
            var finishOrder = new SplitMix64((ulong)finishOrderSeed);
            var running = new List<TrialConfig>();
            var results = new Dictionary<int, ConfigResult>();
            var asked = new List<TrialConfig>();
            var told = 0;
            while (asked.Count < Count)
            {
                var n = asked.Count;
                if (running.Count < slots && Enumerable.Range(0, Math.Max(0, n - Lag)).All(results.ContainsKey))
                {
                    for (; told < n - Lag; told++) search.Tell(results[told]);
                    var config = search.Ask()!;
                    asked.Add(config);
                    running.Add(config);
                    continue;
                }
                var done = running[(int)finishOrder.NextBelow((ulong)running.Count)];
                running.Remove(done);
                results[done.Id] = Scored(done);
            }
            return asked;
        }

        var oneAtATime = Run(slots: 1, finishOrderSeed: 0);

        Assert.Equal(oneAtATime, Run(slots: 2, finishOrderSeed: 1));
        Assert.Equal(oneAtATime, Run(slots: 2, finishOrderSeed: 2));
    }

    [Fact]
    public void Maximising_a_score_proposes_what_minimising_its_negation_does()
    {
        var minimised = RunSequentially(Tpe(9), Scored);
        var maximised = RunSequentially(Tpe(9, direction: OptimizationMode.Max), c => ConfigResult.Completed(c.Id, -Objective(c.Parameters)));

        Assert.Equal(minimised, maximised);
    }

    [Fact]
    public void Failed_configs_do_not_count_towards_the_startup_trials()
    {
        var search = Tpe(2, samples: 15);
        var configs = RunSequentially(search, c => c.Id < 12 ? ConfigResult.Failed(c.Id) : Scored(c));
        var random = SearchMethods.All(new RandomSearch(Mixed, Defaults, 15, 2));

        Assert.Equal(random, configs);
    }

    [Fact]
    public void With_the_constant_liar_configs_in_flight_change_the_proposal_without_it_they_do_not()
    {
        var told = RunSequentially(Tpe(6, samples: 12), Scored).Select(c => new ToldConfig(c, Scored(c))).ToList();
        var inFlightA = new[] { told[0].Config with { Id = 12 } };
        var inFlightB = new[] { told[5].Config with { Id = 12 } };
        TpeSampler Sampler(bool liar) => new(Mixed, TpeSettings.Default with { ConstantLiar = liar }, OptimizationMode.Min, 6);

        Assert.Equal(Sampler(false).Suggest(13, told, inFlightA), Sampler(false).Suggest(13, told, inFlightB));
        Assert.Equal(Sampler(false).Suggest(13, told, inFlightA), Sampler(false).Suggest(13, told, []));
        Assert.NotEqual(Sampler(true).Suggest(13, told, inFlightA), Sampler(true).Suggest(13, told, []));
    }

    [Fact]
    public void Tells_must_name_an_asked_config_once()
    {
        var search = Tpe(1);
        var config = search.Ask()!;
        search.Tell(ConfigResult.Completed(config.Id, 1.0));

        Assert.Throws<ArgumentException>(() => search.Tell(ConfigResult.Completed(5, 1.0)));
        Assert.Throws<InvalidOperationException>(() => search.Tell(ConfigResult.Completed(config.Id, 2.0)));
    }

    [Fact]
    public void Tpe_is_adaptive_plans_its_samples_and_stops_after_them()
    {
        var search = Tpe(1, samples: 12);
        var configs = RunSequentially(search, Scored);

        Assert.True(search.IsAdaptive);
        Assert.Equal(12, search.PlannedCount);
        Assert.Equal(Enumerable.Range(0, 12), configs.Select(c => c.Id));
        Assert.Null(search.Ask());
    }

    [Fact]
    public void A_space_without_anything_to_learn_still_gives_its_configs()
    {
        var space = new SearchSpace([new FixedDomain("optimizer", ParamValue.Of("sgd")), new ChoiceDomain("hidden", [ParamValue.Of(64)])]);

        var configs = RunSequentially(Tpe(1, samples: 15, space: space), c => ConfigResult.Completed(c.Id, c.Id));

        Assert.All(configs, c => Assert.Equal(("sgd", 64), (c.Parameters.Text("optimizer"), c.Parameters.Int("hidden"))));
    }

    [Fact]
    public void Invalid_settings_are_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => Tpe(1, TpeSettings.Default with { Gamma = 0 }));
        Assert.Contains("gamma must be in (0, 1]", error.Message);
    }
}
