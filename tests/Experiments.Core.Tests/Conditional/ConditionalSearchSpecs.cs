using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;
using Experiments.Training.Cnn;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Conditional;

public sealed class ConditionalSearchSpecs
{
    private static readonly ParameterSet Defaults = CnnModel.Definition.Defaults;

    private static ConfigResult Score(TrialConfig c) =>
        ConfigResult.Completed(c.Id, c.Parameters.Values.Values.Sum(v => v.IsNumber ? v.AsDouble() % 1.7 : v.AsString().Length));

    private static List<TrialConfig> RunTpe(SearchSpace space, int seed, int samples = 20, bool multivariate = false)
    {
        var tpe = new TpeSearch(space, Defaults, samples, seed, OptimizationMode.Min, TpeSettings.Default with { StartupTrials = 5, Multivariate = multivariate });
        var configs = new List<TrialConfig>();
        while (tpe.Ask() is { } config)
        {
            configs.Add(config);
            tpe.Tell(Score(config));
        }
        return configs;
    }

    private static bool AllSatisfy(SearchSpace space, IEnumerable<TrialConfig> configs) =>
        configs.All(c => SpaceStructure.Satisfies(space, c.Parameters)
            && space.Parameters.All(d => !c.Parameters.Values.TryGetValue(d.Name, out var v) || DomainValues.Contains(d, v)));

    [Property(MaxTest = 200)]
    public bool Grid_holds_every_branch_that_exists_once_and_nothing_else(int seed)
    {
        var space = ConditionalSpaces.Random(seed, gridReady: true);
        var grid = new GridSearch(space, Defaults);
        var searched = SearchMethods.All(grid).Select(c => ConditionalSpaces.Searched(space, c.Parameters)).ToList();
        return searched.Count == grid.Count && searched.Distinct().Count() == searched.Count
            && searched.ToHashSet().SetEquals(ConditionalSpaces.BruteForceGrid(space))
            && GridSearch.CountOrNull(space) == searched.Count;
    }

    [Property(MaxTest = 100)]
    public bool Every_config_of_every_method_satisfies_its_conditions(int seed)
    {
        var gridSpace = ConditionalSpaces.Random(seed, gridReady: true);
        var space = ConditionalSpaces.Random(seed, gridReady: false);
        return AllSatisfy(gridSpace, SearchMethods.All(new GridSearch(gridSpace, Defaults)))
            && AllSatisfy(space, SearchMethods.All(new RandomSearch(space, Defaults, 30, seed)))
            && AllSatisfy(space, RunTpe(space, seed))
            && AllSatisfy(space, RunTpe(space, seed, multivariate: true));
    }

    [Property(MaxTest = 50)]
    public bool Random_and_tpe_draws_are_reproducible_from_the_seed(int spaceSeed, int seed)
    {
        var space = ConditionalSpaces.Random(spaceSeed, gridReady: false);
        var random = SearchMethods.All(new RandomSearch(space, Defaults, 20, seed));
        var again = SearchMethods.All(new RandomSearch(space, Defaults, 20, seed));
        // Config i is a function of (seed, i) alone: asked out of order, it is the same.
        var alone = new RandomSearch(space, Defaults, 20, seed).ConfigAt(13);
        return random.SequenceEqual(again) && alone == random[13] && RunTpe(space, seed).SequenceEqual(RunTpe(space, seed));
    }

    [Fact]
    public void Grid_expands_momentum_only_under_sgd_and_widths_only_up_to_the_depth()
    {
        var configs = SearchMethods.All(new GridSearch(ConditionalSpaces.Fixed, Defaults))
            .Select(c => Shown(ConditionalSpaces.Searched(ConditionalSpaces.Fixed, c.Parameters))).ToList();

        // optimizer: adam, sgd×2 momenta = 3; depth: 1, 2×2 widths, 3×(hidden-2 32, or 64 × 2 hidden-3) = 1 + 2 + 3 = 6.
        Assert.Equal(18, configs.Count);
        Assert.Equal([
            "dense-layers=1 optimizer=adam",
            "dense-layers=2 hidden-2=32 optimizer=adam",
            "dense-layers=2 hidden-2=64 optimizer=adam",
            "dense-layers=3 hidden-2=32 optimizer=adam",
            "dense-layers=3 hidden-2=64 hidden-3=16 optimizer=adam",
            "dense-layers=3 hidden-2=64 hidden-3=32 optimizer=adam",
            "dense-layers=1 momentum=0.5 optimizer=sgd",
        ], configs.Take(7));
    }

    [Fact]
    public void An_absent_parameter_is_left_out_of_the_config_not_set_to_its_default()
    {
        var adam = SearchMethods.All(new GridSearch(ConditionalSpaces.Fixed, Defaults)).First();

        Assert.True(Defaults.Values.ContainsKey("momentum"));
        Assert.False(adam.Parameters.Values.ContainsKey("momentum"));
        Assert.False(adam.Parameters.Values.ContainsKey("hidden-2"));
        Assert.Equal(Defaults.Double("learning-rate"), adam.Parameters.Double("learning-rate"));
    }

    [Property(MaxTest = 100)]
    public bool Without_conditions_the_grid_is_the_mixed_radix_product_of_before(int seed)
    {
        var space = new SearchSpace(ConditionalSpaces.Random(seed, gridReady: true).Parameters.Select(d => d with { When = [] }).ToImmutableArray());
        var configs = SearchMethods.All(new GridSearch(space, Defaults));
        var sizes = space.Parameters.Select(d => DomainValues.Enumerate(d)!.Value).ToList();
        return configs.All(c =>
        {
            var rest = c.Id;
            for (var axis = sizes.Count - 1; axis >= 0; axis--)
            {
                if (!c.Parameters[space.Parameters[axis].Name].Equals(sizes[axis][rest % sizes[axis].Length])) return false;
                rest /= sizes[axis].Length;
            }
            return true;
        });
    }

    [Property(MaxTest = 100)]
    public bool Without_conditions_random_draws_each_parameter_in_declaration_order_as_before(int spaceSeed, int seed)
    {
        var space = new SearchSpace(ConditionalSpaces.Random(spaceSeed, gridReady: false).Parameters.Select(d => d with { When = [] }).ToImmutableArray());
        var configs = SearchMethods.All(new RandomSearch(space, Defaults, 5, seed));
        return configs.All(c =>
        {
            var random = SplitMix64.For(seed, c.Id);
            return space.Parameters.All(d => c.Parameters[d.Name].Equals(DomainValues.Sample(d, random)));
        });
    }

    [Fact]
    public void Tpe_fits_a_conditional_parameter_only_on_the_configs_where_it_was_present()
    {
        var space = new SearchSpace([
            new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")]),
            new UniformDomain("momentum", 0, 0.99, null) { When = [new Condition("optimizer", [ParamValue.Of("sgd")])] },
        ]);
        var sampler = new TpeSampler(space, TpeSettings.Default, OptimizationMode.Min, seed: 1);
        var configs = SearchMethods.All(new RandomSearch(space, Defaults, 12, 3));
        var split = new TpeSplit(configs.Take(4).ToList(), configs.Skip(4).ToList());
        var momentum = new NumericalDimension("momentum", 0, 0.99, 0, false);

        var (good, bad) = sampler.Estimators([momentum], split);

        // One kernel per observation that has momentum, plus the prior.
        Assert.Equal(configs.Take(4).Count(c => c.Parameters.Values.ContainsKey("momentum")) + 1, good.Weights.Length);
        Assert.Equal(configs.Skip(4).Count(c => c.Parameters.Values.ContainsKey("momentum")) + 1, bad.Weights.Length);
    }

    [Fact]
    public void Tpe_learns_a_conditional_optimum_where_it_exists()
    {
        var space = new SearchSpace([
            new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")]),
            new UniformDomain("momentum", 0, 0.99, null) { When = [new Condition("optimizer", [ParamValue.Of("sgd")])] },
        ]);
        var tpe = new TpeSearch(space, Defaults, 60, 5, OptimizationMode.Min, TpeSettings.Default);
        var configs = new List<TrialConfig>();
        while (tpe.Ask() is { } config)
        {
            configs.Add(config);
            var p = config.Parameters;
            tpe.Tell(ConfigResult.Completed(config.Id, p.Text("optimizer") == "sgd" ? Math.Abs(p.Double("momentum") - 0.9) : 1));
        }

        var late = configs.Skip(30).ToList();
        Assert.True(late.Count(c => c.Parameters.Text("optimizer") == "sgd") >= 24, string.Join("; ", late.Select(c => c.Parameters)));
        Assert.True(late.Where(c => c.Parameters.Text("optimizer") == "sgd").Average(c => Math.Abs(c.Parameters.Double("momentum") - 0.9)) < 0.1);
    }

    private static string Shown(ParameterSet p) => string.Join(" ", p.Values.Select(kv => $"{kv.Key}={kv.Value}"));
}
