using Experiments.Core.Spec;

namespace Experiments.Training.Cnn;

/// <summary>The CNN digit classifier's definition: its hyperparameters and metrics, in one place.</summary>
public static class CnnModel
{
    public static readonly HyperParameter<double> LearningRate = HyperParameter.Real("learning-rate", 1e-3, "optimizer step size", 0, 10, minExclusive: true);
    public static readonly HyperParameter<int> BatchSize = HyperParameter.Integer("batch-size", 64, "samples per training step", 1, 65536);
    public static readonly HyperParameter<int> Hidden = HyperParameter.Integer("hidden", 128, "width of the hidden dense layer", 1, 65536);
    public static readonly HyperParameter<int> DenseLayers = HyperParameter.OptionalInteger("dense-layers", "dense layers before the output; absent: 1", 1, 3);
    public static readonly HyperParameter<int> Hidden2 = HyperParameter.OptionalInteger("hidden-2", "width of the second dense layer (dense-layers ≥ 2); absent: as wide as the first", 1, 65536);
    public static readonly HyperParameter<int> Hidden3 = HyperParameter.OptionalInteger("hidden-3", "width of the third dense layer (dense-layers = 3); absent: as wide as the second", 1, 65536);
    public static readonly HyperParameter<double> Dropout = HyperParameter.Real("dropout", 0.0, "dropout probability after the hidden layer", 0, 1, maxExclusive: true);
    public static readonly HyperParameter<string> Optimizer = HyperParameter.Word("optimizer", "adam", "adam or sgd (with momentum)", "adam", "sgd");
    public static readonly HyperParameter<double> WeightDecay = HyperParameter.Real("weight-decay", 0.0, "L2 penalty", 0, 1);
    public static readonly HyperParameter<double> Momentum = HyperParameter.Real("momentum", 0.9, "momentum of sgd (ignored by adam); may be absent (conditional): sgd then has none", 0, 1, maxExclusive: true, optional: true);

    public static class Metrics
    {
        public const string ValLoss = "val-loss";
        public const string ValAccuracy = "val-accuracy";
        public const string TrainLoss = "train-loss";
    }

    public static readonly ModelDefinition Definition = new("cnn", ModelKind.Cnn, "a convolutional digit classifier",
        [LearningRate, BatchSize, Hidden, Dropout, Optimizer, WeightDecay, Momentum, DenseLayers, Hidden2, Hidden3],
        [
            new(Metrics.ValLoss, OptimizationMode.Min, "cross-entropy on the validation fold"),
            new(Metrics.ValAccuracy, OptimizationMode.Max, "accuracy on the validation fold"),
            new(Metrics.TrainLoss, OptimizationMode.Min, "mean training loss of the epoch"),
        ]);
}
