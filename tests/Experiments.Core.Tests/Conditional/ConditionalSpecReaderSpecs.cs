using Experiments.Core.Search;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Conditional;

public sealed class ConditionalSpecReaderSpecs
{
    private static SweepSpec LoadOne(string space, string method = "grid")
    {
        var text = $"experiments.sweeps = [{{ name = c, model = cnn, search {{ method = {method}, samples = 8, space {{ {space} }} }} }}]";
        var result = SpecLoader.LoadText(text, "test.hocon", "/tmp", TestFiles.Plain);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Sweeps);
    }

    private static ParameterDomain Domain(SweepSpec spec, string name) => spec.Search.Space.Parameters.Single(d => d.Name == name);

    [Fact]
    public void Should_read_a_parameter_that_exists_only_when_another_has_a_value()
    {
        var spec = LoadOne("optimizer = [adam, sgd], momentum { uniform = [0.8, 0.99], grid-points = 2, when { optimizer = sgd } }");

        var condition = Assert.Single(Domain(spec, "momentum").When);
        Assert.Equal("optimizer", condition.Parent);
        Assert.Equal("optimizer = sgd", condition.ToString());
        Assert.Empty(Domain(spec, "optimizer").When);
        Assert.Equal(3, SweepPlan.Of(spec).Configs);
    }

    [Fact]
    public void Should_read_a_condition_written_as_a_path_and_a_list_of_values_of_an_integer_parent()
    {
        var spec = LoadOne("hidden-2 { choice = [32, 64], when.dense-layers = [2, 3] }, dense-layers { int-range = [1, 3] }");

        var condition = Assert.Single(Domain(spec, "hidden-2").When);
        Assert.Equal("dense-layers in [2, 3]", condition.ToString());
        Assert.Equal(1 + 2 + 2, SweepPlan.Of(spec).Configs);
    }

    [Fact]
    public void Should_count_a_random_search_over_a_small_conditional_space_by_its_distinct_configs()
    {
        var result = SpecLoader.LoadText(
            "experiments.sweeps = [{ name = c, model = cnn, search { method = random, samples = 9, space { optimizer = [adam, sgd], momentum { choice = [0.5, 0.9], when { optimizer = sgd } } } } }]",
            "test.hocon", "/tmp", TestFiles.Plain);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Message.Contains("space of 3 configurations", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_accept_the_conditional_example_and_plan_only_the_branches_that_exist()
    {
        var result = SpecLoader.LoadFile(Path.Combine(TestFiles.RepositoryRoot, "config/sweeps/cnn-conditional.hocon"), TestFiles.Plain);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var spec = Assert.Single(result.Sweeps);
        var configs = SearchMethods.All(SearchMethods.Create(spec));
        Assert.Equal(9, configs.Count);
        Assert.All(configs, c => Assert.Equal(c.Parameters.Text("optimizer") == "sgd", c.Parameters.Values.ContainsKey("momentum")));
        Assert.All(configs, c => Assert.Equal(c.Parameters.Int("dense-layers") == 2, c.Parameters.Values.ContainsKey("hidden-2")));
    }
}
