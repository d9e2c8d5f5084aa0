using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using FsCheck.Xunit;
using Experiments.Training.Cnn;

namespace Experiments.Core.Tests;

public sealed class SearchMethodTests
{
    private static readonly ParameterSet Defaults = CnnModel.Definition.Defaults;

    /// <summary>A small random space built from <paramref name="seed"/>: 1 to 4 domains of every kind.</summary>
    private static SearchSpace RandomSpace(int seed, bool gridReady)
    {
        var random = new SplitMix64((ulong)(uint)seed);
        var names = new[] { "learning-rate", "hidden", "dropout", "batch-size", "optimizer", "momentum" };
        var count = 1 + (int)random.NextBelow(4);
        var domains = names.OrderBy(_ => random.NextUInt64()).Take(count).Select(name =>
        {
            int? points = gridReady || random.NextBelow(2) == 0 ? 2 + (int)random.NextBelow(3) : null;
            return (random.NextBelow(5)) switch
            {
                0 => (ParameterDomain)new FixedDomain(name, ParamValue.Of(1 + (int)random.NextBelow(9))),
                1 => new ChoiceDomain(name, Enumerable.Range(1, 1 + (int)random.NextBelow(4)).Select(i => ParamValue.Of(i * 10)).ToImmutableArray()),
                2 => new UniformDomain(name, 0.1, 0.1 + 0.5 * random.NextDouble() + 1e-3, points),
                3 => new LogUniformDomain(name, 1e-5, 1e-5 + random.NextDouble(), points),
                _ => new IntRangeDomain(name, 8, 8 + (long)random.NextBelow(200), 1 + (long)random.NextBelow(40)),
            };
        });
        return new SearchSpace(domains.ToImmutableArray());
    }

    [Property(MaxTest = 200)]
    public bool Grid_count_is_the_product_of_the_domain_sizes(int seed)
    {
        var space = RandomSpace(seed, gridReady: true);
        var configs = SearchMethods.All(new GridSearch(space, Defaults));
        var product = space.Parameters.Aggregate(1L, (p, d) => p * DomainValues.Enumerate(d)!.Value.Length);
        return configs.Count == product && configs.Select(c => c.Parameters).Distinct().Count() == configs.Count;
    }

    [Property(MaxTest = 200)]
    public bool Grid_values_all_lie_in_their_domains_and_ids_run_from_zero(int seed)
    {
        var space = RandomSpace(seed, gridReady: true);
        var configs = SearchMethods.All(new GridSearch(space, Defaults));
        return configs.Select(c => c.Id).SequenceEqual(Enumerable.Range(0, configs.Count))
            && configs.All(c => space.Parameters.All(d => DomainValues.Contains(d, c.Parameters[d.Name])));
    }

    [Property(MaxTest = 200)]
    public bool Random_search_with_the_same_seed_gives_the_same_configs(int spaceSeed, int seed)
    {
        var space = RandomSpace(spaceSeed, gridReady: false);
        var first = SearchMethods.All(new RandomSearch(space, Defaults, 10, seed));
        var second = SearchMethods.All(new RandomSearch(space, Defaults, 10, seed));
        return first.SequenceEqual(second);
    }

    [Property(MaxTest = 200)]
    public bool Random_search_with_different_seeds_gives_different_configs(int seed)
    {
        var space = new SearchSpace([new LogUniformDomain("learning-rate", 1e-5, 1e-1, null), new UniformDomain("dropout", 0, 0.9, null)]);
        var first = SearchMethods.All(new RandomSearch(space, Defaults, 5, seed));
        var second = SearchMethods.All(new RandomSearch(space, Defaults, 5, unchecked(seed + 1)));
        return !first.Select(c => c.Parameters).SequenceEqual(second.Select(c => c.Parameters));
    }

    [Property(MaxTest = 200)]
    public bool Random_configs_stay_within_domain_bounds_and_integer_steps(int spaceSeed, int seed)
    {
        var space = RandomSpace(spaceSeed, gridReady: false);
        var configs = SearchMethods.All(new RandomSearch(space, Defaults, 20, seed));
        return configs.Count == 20
            && configs.All(c => space.Parameters.All(d => DomainValues.Contains(d, c.Parameters[d.Name])));
    }

    [Fact]
    public void Random_search_samples_log_uniform_in_log_space()
    {
        // Uniform in log space puts about half of the samples below the geometric mean 1e-3.
        var space = new SearchSpace([new LogUniformDomain("learning-rate", 1e-5, 1e-1, null)]);
        var rates = SearchMethods.All(new RandomSearch(space, Defaults, 2000, 3)).Select(c => c.Parameters.Double("learning-rate")).ToList();

        var belowGeometricMean = rates.Count(r => r < 1e-3) / (double)rates.Count;

        Assert.InRange(belowGeometricMean, 0.45, 0.55);
    }

    [Fact]
    public void Every_config_holds_the_full_hyperparameter_set_with_sampled_values_overriding_defaults()
    {
        var defaults = Defaults.With("hidden", ParamValue.Of(999));
        var space = new SearchSpace([new ChoiceDomain("hidden", [ParamValue.Of(64), ParamValue.Of(128)])]);

        var configs = SearchMethods.All(new GridSearch(space, defaults));

        Assert.Equal([64, 128], configs.Select(c => c.Parameters.Int("hidden")));
        Assert.All(configs, c => Assert.Equal(defaults.Values.Keys, c.Parameters.Values.Keys));
        Assert.All(configs, c => Assert.Equal(1e-3, c.Parameters.Double("learning-rate")));
    }

    [Fact]
    public void Grid_varies_the_last_parameter_fastest_and_includes_both_ends_of_a_discretised_range()
    {
        var space = new SearchSpace([
            new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")]),
            new LogUniformDomain("learning-rate", 1e-4, 1e-2, 3),
        ]);

        var configs = SearchMethods.All(new GridSearch(space, Defaults))
            .Select(c => $"{c.Parameters.Text("optimizer")}:{c.Parameters.Double("learning-rate"):0.####}").ToList();

        Assert.Equal(["adam:0.0001", "adam:0.001", "adam:0.01", "sgd:0.0001", "sgd:0.001", "sgd:0.01"], configs);
    }

    [Fact]
    public void Search_methods_ignore_what_they_are_told_and_stop_after_their_planned_count()
    {
        var method = new RandomSearch(new SearchSpace([new IntRangeDomain("hidden", 32, 64, 32)]), Defaults, 3, 1);
        method.Tell(ConfigResult.Completed(0, 0.5));
        method.Tell(ConfigResult.Pruned(1, 0.25, 2));

        Assert.Equal(3, method.PlannedCount);
        Assert.False(method.IsAdaptive);
        Assert.Equal(3, SearchMethods.All(method).Count);
        Assert.Null(method.Ask());
    }

    [Fact]
    public void Factory_and_plan_follow_the_spec()
    {
        var spec = Assert.Single(SpecLoader.LoadFile(Path.Combine(TestFiles.RepositoryRoot, "config/sweeps/cnn-grid-cv.hocon"), TestFiles.Plain).Sweeps);

        var method = SearchMethods.Create(spec);
        var plan = SweepPlan.Of(spec);

        Assert.IsType<GridSearch>(method);
        Assert.Equal(new SweepPlan("cnn-grid-cv", 12, 3, 8), plan);
        Assert.Equal(12 * 3 * 8 + 8, plan.WorstCaseEpochs);
    }

    [Fact]
    public void Validate_report_prints_configs_folds_and_worst_case_epochs_per_sweep()
    {
        var result = SpecLoader.LoadText("""
            experiments.sweeps = [
              { name = one, model = cnn, search { method = grid, space { hidden = [64, 128] } }, cross-validation { folds = 3 }, training { max-epochs = 4 } }
              { name = two, model = gan, search { method = random, samples = 5, space { g-learning-rate { log-uniform = [1e-4, 1e-3] } } }, cross-validation { folds = 2 }, training { max-epochs = 10 } }
            ]
            """, "t.hocon", "/tmp", TestFiles.Plain);

        var lines = SpecReport.Render(result).Split(Environment.NewLine);

        Assert.Equal(["one: 2 configs × 3 folds, worst case 28 epochs", "two: 5 configs × 2 folds, worst case 110 epochs"], lines);
    }

    [Fact]
    public void Validate_report_lists_the_errors_of_an_invalid_file()
    {
        var result = SpecLoader.LoadText("x = [1,,2]", "bad.hocon", "/tmp", TestFiles.Plain);

        Assert.Equal("bad.hocon:1:8: empty array element (doubled ',')", SpecReport.Render(result));
    }

    [Fact]
    public void Should_list_errors_in_the_order_of_the_file()
    {
        var result = SpecLoader.LoadText(
            "experiments.sweeps = [{\n  name = a\n  model = cnn\n  search { method = grid, space { learnin-rate = [1e-3] } }\n  cross-validation { folds = 1 }\n}]\n",
            "bad.hocon", "/tmp", TestFiles.Plain);
        var lines = SpecReport.Render(result).Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("bad.hocon:4: sweeps[0].search.space.learnin-rate", lines[0]);
        Assert.StartsWith("bad.hocon:5: sweeps[0].cross-validation.folds", lines[1]);
    }
}
