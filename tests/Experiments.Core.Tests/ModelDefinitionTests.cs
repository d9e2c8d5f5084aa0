using Experiments.Core.Spec;
using Experiments.Training;
using Experiments.Training.Cnn;

namespace Experiments.Core.Tests;

/// <summary>Issue #13: each model's hyperparameters and metrics are defined once, and everything reads that definition.</summary>
public sealed class ModelDefinitionTests
{
    public static TheoryData<string> ModelNames() => new(Models.Registry.Names);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Should_document_every_hyperparameter_and_metric_of_each_model_as_defined(string name)
    {
        var docs = File.ReadAllText(Path.Combine(TestFiles.RepositoryRoot, "docs", "SWEEPS.md")).ReplaceLineEndings("\n");
        var tables = ModelDocs.Tables(Models.Registry.Find(name)!);

        Assert.True(docs.Contains(tables, StringComparison.Ordinal),
            $"docs/SWEEPS.md does not hold the tables of model {name} as defined; paste:\n{tables}");
    }

    [Fact]
    public void Should_read_a_typed_hyperparameter_from_a_resolved_set()
    {
        var set = CnnModel.Definition.Defaults.With("hidden", ParamValue.Of(256));

        Assert.Equal(256, CnnModel.Hidden.Of(set));
        Assert.Equal("adam", CnnModel.Optimizer.Of(set));
        Assert.Equal(1e-3, CnnModel.LearningRate.Of(set));
    }

    [Fact]
    public void Should_reject_a_model_no_registry_knows()
    {
        var result = SpecLoader.LoadText("experiments.sweeps = [{ name = a, model = cnn }]", "t.hocon", "/tmp", SpecContext.Default);

        Assert.Equal("t.hocon:1: sweeps[0].model: unknown model 'cnn' (no models are registered)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_refuse_to_register_two_models_of_one_name() =>
        Assert.Throws<ArgumentException>(() => new ModelRegistry([CnnModel.Definition, CnnModel.Definition]));
}
