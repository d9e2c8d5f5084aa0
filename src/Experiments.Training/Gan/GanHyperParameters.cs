using Experiments.Core.Spec;

namespace Experiments.Training.Gan;

public sealed record GanHyperParameters(
    int ZSize, double GeneratorLearningRate, double DiscriminatorLearningRate, int BatchSize, double Width, double LabelSmoothing)
{
    public static GanHyperParameters Default { get; } = From(ModelCatalog.DefaultsOf(ModelKind.Gan));

    /// <summary>Reads the GAN's hyperparameters from a full set (names as in ModelCatalog).</summary>
    public static GanHyperParameters From(ParameterSet p) => new(
        p.Int("z-size"), p.Double("g-learning-rate"), p.Double("d-learning-rate"), p.Int("batch-size"),
        p.Double("width"), p.Double("label-smoothing"));

    /// <summary>A base layer width scaled by <see cref="Width"/>: rounded, at least 1.</summary>
    public int Scaled(int baseWidth) => Math.Max(1, (int)Math.Round(baseWidth * Width, MidpointRounding.AwayFromZero));
}
