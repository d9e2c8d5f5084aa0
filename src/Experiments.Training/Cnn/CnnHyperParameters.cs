using Experiments.Core.Spec;

namespace Experiments.Training.Cnn;

/// <param name="Momentum">Null when the configuration has none (a conditional momentum whose condition failed): sgd then runs without momentum.</param>
public sealed record CnnHyperParameters(
    int Hidden, double Dropout, string Optimizer, double LearningRate, double WeightDecay, double? Momentum, int BatchSize)
{
    /// <summary>Widths of the dense layers after the first, dense-layers − 1 of them (hidden-2, hidden-3; an absent one is as wide as the layer before).</summary>
    public IReadOnlyList<int> DeeperWidths { get; init; } = [];

    public static CnnHyperParameters Default { get; } = From(CnnModel.Definition.Defaults);

    /// <summary>Reads the CNN's hyperparameters from a full set, through their typed definitions.</summary>
    public static CnnHyperParameters From(ParameterSet p) => new(
        CnnModel.Hidden.Of(p), CnnModel.Dropout.Of(p), CnnModel.Optimizer.Of(p), CnnModel.LearningRate.Of(p),
        CnnModel.WeightDecay.Of(p), CnnModel.Momentum.IsIn(p) ? CnnModel.Momentum.Of(p) : null, CnnModel.BatchSize.Of(p))
    {
        DeeperWidths = DeeperFrom(p),
    };

    private static List<int> DeeperFrom(ParameterSet p)
    {
        var layers = CnnModel.DenseLayers.IsIn(p) ? CnnModel.DenseLayers.Of(p) : 1;
        var widths = new List<int>();
        var previous = CnnModel.Hidden.Of(p);
        foreach (var next in new[] { CnnModel.Hidden2, CnnModel.Hidden3 }.Take(layers - 1))
        {
            previous = next.IsIn(p) ? next.Of(p) : previous;
            widths.Add(previous);
        }
        return widths;
    }
}
