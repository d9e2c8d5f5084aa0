using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Tpe;

public sealed class TpeSpecSpecs
{
    private static SweepSpec LoadOne(string search, string extra = "")
    {
        var result = SpecLoader.LoadText($"experiments.sweeps = [{{ name = s, model = cnn, search {{ {search} }}{extra} }}]", "t.hocon", "/tmp", TestFiles.Plain);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Sweeps);
    }

    [Fact]
    public void Method_tpe_takes_optunas_defaults_with_the_constant_liar_on()
    {
        var spec = LoadOne("method = tpe, samples = 40, space { learning-rate { log-uniform = [1e-4, 1e-2] } }");

        Assert.Equal(SearchMethodKind.Tpe, spec.Search.Method);
        Assert.Equal(new TpeSettings(StartupTrials: 10, Candidates: 24, Gamma: 0.1, GammaCap: 25, Multivariate: false, ConstantLiar: true), spec.Search.Tpe);
        Assert.Equal(TpeSettings.Default, spec.Search.Tpe);
    }

    [Fact]
    public void Every_tpe_key_is_read()
    {
        var spec = LoadOne("method = tpe, samples = 40, tpe { startup-trials = 5, candidates = 64, gamma = 0.25, gamma-cap = 10, multivariate = on, constant-liar = off }");

        Assert.Equal(new TpeSettings(5, 64, 0.25, 10, true, false), spec.Search.Tpe);
    }

    [Fact]
    public void The_factory_builds_a_tpe_search_that_optimises_in_the_early_stopping_direction()
    {
        var byLoss = LoadOne("method = tpe, samples = 7, seed = 3, space { hidden = [64, 128] }");
        var byAccuracy = LoadOne("method = tpe, samples = 7, space { hidden = [64, 128] }", ", early-stopping { metric = val-accuracy }");

        var search = Assert.IsType<TpeSearch>(SearchMethods.Create(byLoss));

        Assert.Equal((7, OptimizationMode.Min, true), (search.Samples, search.Direction, search.IsAdaptive));
        Assert.Equal(OptimizationMode.Max, Assert.IsType<TpeSearch>(SearchMethods.Create(byAccuracy)).Direction);
        Assert.Equal(7, SweepPlan.Of(byLoss).Configs);
    }

    [Fact]
    public void The_shipped_tpe_example_is_valid_and_plans_its_samples()
    {
        var result = SpecLoader.LoadFile(Path.Combine(TestFiles.RepositoryRoot, "config/sweeps/cnn-tpe.hocon"), TestFiles.Plain);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var spec = Assert.Single(result.Sweeps);
        Assert.Equal(SearchMethodKind.Tpe, spec.Search.Method);
        Assert.Equal(TpeSettings.Default, spec.Search.Tpe);
        Assert.Equal("cnn-tpe: 30 configs × 3 folds, worst case 728 epochs", SpecReport.Render(result));
    }

    [Fact]
    public void Grid_and_random_sweeps_carry_no_tpe_settings()
    {
        Assert.Null(LoadOne("method = random, space { hidden = [64, 128] }").Search.Tpe);
        Assert.Null(LoadOne("method = grid").Search.Tpe);
    }

    [Fact]
    public void A_continuous_domain_needs_no_grid_points_for_tpe()
    {
        var spec = LoadOne("method = tpe, space { dropout { uniform = [0, 0.5] } }");

        Assert.Equal(new UniformDomain("dropout", 0, 0.5, null), Assert.Single(spec.Search.Space.Parameters));
    }
}
