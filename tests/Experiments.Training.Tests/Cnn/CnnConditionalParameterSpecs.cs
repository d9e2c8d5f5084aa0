using Experiments.Core.Spec;
using Experiments.Training.Cnn;

namespace Experiments.Training.Tests.Cnn;

/// <summary>The CNN's optional hyperparameters: what a configuration without them trains (issue #11).</summary>
[Collection(DigitsCollection.Name)]
public class CnnConditionalParameterSpecs(DefaultDigitsFixture fixture)
{
    private static readonly ParameterSet Small = CnnModel.Definition.Defaults.With("hidden", ParamValue.Of(32));

    private static int[] Batch(int step) => Enumerable.Range(step * 64, 64).ToArray();

    private double[] TrainLosses(ParameterSet parameters, int steps = 4)
    {
        TorchRuntime.UseThreads(1);
        using var trainer = new CnnTrainer(fixture.Digits, CnnHyperParameters.From(parameters), seed: 3);
        return Enumerable.Range(0, steps).Select(s => trainer.TrainStep(Batch(s))["train-loss"]).ToArray();
    }

    [Fact]
    public void Should_build_dense_layers_up_to_the_chosen_depth_an_absent_width_as_wide_as_the_layer_before()
    {
        var parameters = Small.With("dense-layers", ParamValue.Of(3)).With("hidden-2", ParamValue.Of(16));

        var hp = CnnHyperParameters.From(parameters);
        using var trainer = new CnnTrainer(fixture.Digits, hp, seed: 1);

        Assert.Equal([16, 16], hp.DeeperWidths);
        var shapes = trainer.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([16L, 32L], shapes["deeper.0.weight"]);
        Assert.Equal([16L, 16L], shapes["deeper.1.weight"]);
        Assert.Equal([10L, 16L], shapes["output.weight"]);
        Assert.All(trainer.TrainStep(Batch(0)).Values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Should_keep_the_one_dense_layer_network_and_its_numbers_when_no_depth_is_set()
    {
        using var plain = new CnnTrainer(fixture.Digits, CnnHyperParameters.From(Small), seed: 1);

        Assert.Empty(CnnHyperParameters.From(Small).DeeperWidths);
        Assert.Equal(["conv.weight", "conv.bias", "hidden.weight", "hidden.bias", "output.weight", "output.bias"],
            plain.Model.named_parameters().Select(p => p.name));
        // dense-layers = 1 said out loud, and a hidden-2 that a one-layer network ignores, change nothing.
        Assert.Equal(TrainLosses(Small), TrainLosses(Small.With("dense-layers", ParamValue.Of(1)).With("hidden-2", ParamValue.Of(8))));
    }

    [Fact]
    public void Should_train_sgd_without_momentum_when_the_configuration_has_none()
    {
        var sgd = Small.With("optimizer", ParamValue.Of("sgd"));

        Assert.Null(CnnHyperParameters.From(sgd.Without("momentum")).Momentum);
        Assert.Equal(TrainLosses(sgd.With("momentum", ParamValue.Of(0))), TrainLosses(sgd.Without("momentum")));
        Assert.NotEqual(TrainLosses(sgd), TrainLosses(sgd.Without("momentum")));
    }

    [Fact]
    public void Should_train_adam_the_same_with_or_without_a_momentum_it_ignores() =>
        Assert.Equal(TrainLosses(Small), TrainLosses(Small.Without("momentum")));
}
