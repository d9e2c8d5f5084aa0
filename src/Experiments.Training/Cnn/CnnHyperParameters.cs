using Experiments.Core.Spec;

namespace Experiments.Training.Cnn;

public sealed record CnnHyperParameters(
    int Hidden, double Dropout, string Optimizer, double LearningRate, double WeightDecay, double Momentum, int BatchSize)
{
    public static CnnHyperParameters Default { get; } = From(CnnModel.Definition.Defaults);

    /// <summary>Reads the CNN's hyperparameters from a full set, through their typed definitions.</summary>
    public static CnnHyperParameters From(ParameterSet p) => new(
        CnnModel.Hidden.Of(p), CnnModel.Dropout.Of(p), CnnModel.Optimizer.Of(p), CnnModel.LearningRate.Of(p),
        CnnModel.WeightDecay.Of(p), CnnModel.Momentum.Of(p), CnnModel.BatchSize.Of(p));
}
