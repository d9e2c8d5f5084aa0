using Experiments.Training.Cnn;
using Experiments.Core.Spec;
using Experiments.Training;
using Experiments.Training.Data;

namespace Experiments.Host.Tests.Journal;

/// <summary>
/// A trainer without torch whose metrics are a formula of the learning rate and the epoch, so a
/// journal it wrote can be checked against known values. Learning rates of at least
/// <see cref="FailingFrom"/> throw on the first step of epoch 2: a failed trial after one epoch.
/// </summary>
public sealed class ScriptedTrainer(double learningRate) : IModelTrainer
{
    public const double FailingFrom = 0.003;

    private int _epochsEvaluated;

    public static double ValLoss(double learningRate, int epoch) => 0.1 + learningRate * 10 / epoch + 1.0 / 3 * 1e-3;
    public static double ValAccuracy(int epoch) => 0.9 - 0.1 / (epoch * 7);
    public static double TrainLoss(double learningRate) => learningRate * 100;

    public int BatchSize => 32;

    public IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch)
    {
        if (learningRate >= FailingFrom && _epochsEvaluated >= 1) throw new InvalidOperationException("scripted fault in epoch 2");
        return new Dictionary<string, double> { [CnnModel.Metrics.TrainLoss] = TrainLoss(learningRate) };
    }

    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices)
    {
        _epochsEvaluated++;
        return new Dictionary<string, double>
        {
            [CnnModel.Metrics.ValLoss] = ValLoss(learningRate, _epochsEvaluated),
            [CnnModel.Metrics.ValAccuracy] = ValAccuracy(_epochsEvaluated),
        };
    }

    public IReadOnlyDictionary<string, byte[]> CaptureState() =>
        new Dictionary<string, byte[]> { ["epochs"] = BitConverter.GetBytes(_epochsEvaluated) };

    public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source) =>
        _epochsEvaluated = BitConverter.ToInt32(sections["epochs"]);

    public void Dispose() { }
}

public sealed class ScriptedTrainerFactory : ITrainerFactory
{
    public IModelTrainer Create(ModelKind model, IDigitSource data, ParameterSet parameters, int seed) =>
        new ScriptedTrainer(parameters.Double("learning-rate"));
}
