using Experiments.Core.Spec;

namespace Experiments.Training.Gan;

public sealed record GanHyperParameters(
    int ZSize, double GeneratorLearningRate, double DiscriminatorLearningRate, int BatchSize, double Width, double LabelSmoothing)
{
    public static GanHyperParameters Default { get; } = From(GanModel.Definition.Defaults);

    /// <summary>Reads the GAN's hyperparameters from a full set, through their typed definitions.</summary>
    public static GanHyperParameters From(ParameterSet p) => new(
        GanModel.ZSize.Of(p), GanModel.GeneratorLearningRate.Of(p), GanModel.DiscriminatorLearningRate.Of(p), GanModel.BatchSize.Of(p),
        GanModel.Width.Of(p), GanModel.LabelSmoothing.Of(p));

    /// <summary>A base layer width scaled by <see cref="Width"/>: rounded, at least 1.</summary>
    public int Scaled(int baseWidth) => Math.Max(1, (int)Math.Round(baseWidth * Width, MidpointRounding.AwayFromZero));
}
