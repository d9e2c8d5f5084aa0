using Experiments.Core.Spec;

namespace Experiments.Training.Gan;

/// <summary>The GAN's definition: its hyperparameters and metrics, in one place.</summary>
public static class GanModel
{
    public static readonly HyperParameter<int> ZSize = HyperParameter.Integer("z-size", 64, "length of the generator's noise vector", 1, 4096);
    public static readonly HyperParameter<double> GeneratorLearningRate = HyperParameter.Real("g-learning-rate", 2e-4, "generator Adam step size", 0, 10, minExclusive: true);
    public static readonly HyperParameter<double> DiscriminatorLearningRate = HyperParameter.Real("d-learning-rate", 2e-4, "discriminator Adam step size", 0, 10, minExclusive: true);
    public static readonly HyperParameter<int> BatchSize = HyperParameter.Integer("batch-size", 64, "samples per training step", 1, 65536);
    public static readonly HyperParameter<double> Width = HyperParameter.Real("width", 1.0, "multiplier of every hidden layer's width", 0.05, 8);
    public static readonly HyperParameter<double> LabelSmoothing = HyperParameter.Real("label-smoothing", 0.0, "real labels become 1 - label-smoothing", 0, 0.5);

    public static class Metrics
    {
        public const string Fid = "fid";
        public const string ClassCoverage = "class-coverage";
        public const string GeneratorLoss = "g-loss";
        public const string DiscriminatorLoss = "d-loss";
    }

    public static readonly ModelDefinition Definition = new("gan", ModelKind.Gan, "a generative adversarial network of digits",
        [ZSize, GeneratorLearningRate, DiscriminatorLearningRate, BatchSize, Width, LabelSmoothing],
        [
            new(Metrics.Fid, OptimizationMode.Min, "Fréchet distance of generated to real digits in the CNN's feature space"),
            new(Metrics.ClassCoverage, OptimizationMode.Max, "normalised entropy of the classes the CNN sees in generated digits (1 = all ten, evenly)"),
            new(Metrics.GeneratorLoss, OptimizationMode.Min, "mean generator loss of the epoch"),
            new(Metrics.DiscriminatorLoss, OptimizationMode.Min, "mean discriminator loss of the epoch"),
        ]);
}
