using Experiments.Core.Spec;

namespace Experiments.Training.Cnn;

public sealed record CnnHyperParameters(
    int Hidden, double Dropout, string Optimizer, double LearningRate, double WeightDecay, double Momentum, int BatchSize)
{
    public static CnnHyperParameters Default { get; } = From(ModelCatalog.DefaultsOf(ModelKind.Cnn));

    /// <summary>Reads the CNN's hyperparameters from a full set (names as in ModelCatalog).</summary>
    public static CnnHyperParameters From(ParameterSet p) => new(
        p.Int("hidden"), p.Double("dropout"), p.Text("optimizer"), p.Double("learning-rate"),
        p.Double("weight-decay"), p.Double("momentum"), p.Int("batch-size"));
}
