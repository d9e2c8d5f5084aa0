using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Data;
using Experiments.Training.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Training.Cnn;

/// <summary>Owns a <see cref="DigitCnn"/> and its optimizer; trains and evaluates it on a shared digit source.</summary>
public sealed class CnnTrainer : IModelTrainer
{
    private const int EvaluationBatch = 250;
    private readonly IDigitSource _data;
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;
    private readonly torch.Generator _dropoutNoise;

    public DigitCnn Model { get; }
    public CnnHyperParameters HyperParameters { get; }
    public int BatchSize => HyperParameters.BatchSize;

    public CnnTrainer(IDigitSource data, CnnHyperParameters hp, int seed)
    {
        _data = data;
        HyperParameters = hp;
        // The trial's own generator: dropout masks never interleave with another trial's draws.
        _dropoutNoise = new torch.Generator(TrialNoise.Seed(seed, TrialNoise.Dropout));
        Model = SeededInit.Create(seed, () => new DigitCnn(hp.Hidden, hp.Dropout, _dropoutNoise, hp.DeeperWidths));
        _optimizer = hp.Optimizer switch
        {
            "adam" => new Fused.Adam(Model.parameters(), hp.LearningRate, beta1: 0.9, beta2: 0.999, weightDecay: hp.WeightDecay),
            "sgd" => optim.SGD(Model.parameters(), hp.LearningRate, momentum: hp.Momentum ?? 0, weight_decay: hp.WeightDecay),
            _ => throw new ArgumentException($"unknown optimizer '{hp.Optimizer}'", nameof(hp)),
        };
    }

    public IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch)
    {
        using var scope = NewDisposeScope();
        Model.train();
        var (images, labels) = _data.Batch(batch);
        _optimizer.zero_grad();
        var loss = functional.cross_entropy(Model.forward(images), labels);
        loss.backward();
        _optimizer.step();
        return new Dictionary<string, double> { [CnnModel.Metrics.TrainLoss] = loss.item<float>() };
    }

    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices)
    {
        var (loss, accuracy) = LossAndAccuracy(Model, _data, indices);
        return new Dictionary<string, double>
        {
            [CnnModel.Metrics.ValLoss] = loss,
            [CnnModel.Metrics.ValAccuracy] = accuracy,
        };
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on the given samples.</summary>
    public static (double Loss, double Accuracy) LossAndAccuracy(DigitCnn model, IDigitSource data, IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) return (double.NaN, double.NaN);
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        var all = indices as int[] ?? indices.ToArray();
        for (var start = 0; start < all.Length; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = data.Batch(all.AsSpan(start, Math.Min(EvaluationBatch, all.Length - start)));
            var logits = model.forward(images);
            lossSum += functional.cross_entropy(logits, labels, reduction: Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }
        return (lossSum / all.Length, (double)correct / all.Length);
    }

    public IReadOnlyDictionary<string, byte[]> CaptureState() => new Dictionary<string, byte[]>
    {
        ["model"] = TorchState.Save(Model),
        ["optimizer"] = TorchState.Save(_optimizer),
        ["rng"] = TorchState.Save(_dropoutNoise),
    };

    public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source)
    {
        TorchState.Load(Model, TorchState.Section(source, sections, "model"));
        TorchState.Load(_optimizer, TorchState.Section(source, sections, "optimizer"));
        TorchState.Load(_dropoutNoise, TorchState.Section(source, sections, "rng"));
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
        _dropoutNoise.Dispose();
    }
}
