using System.Diagnostics;
using Experiments.Core.Spec;
using Experiments.Training;
using Experiments.Training.Cnn;
using Experiments.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Bench;

/// <summary>
/// The bare training loop: samples per second of CNN steps (batch 64, Adam), after a warm-up,
/// each step in a dispose scope. Variants isolate what each optimisation buys.
/// </summary>
public static class CnnLoop
{
    public const string Project = "project";                // CnnTrainer with DigitCnn, as the runtime trains it
    public const string BaselineCopy = "baseline-copy";     // ReLU then max_pool2d; each batch copied from a float[] into a new tensor
    public const string ReluThenPool = "relu-then-pool";    // index_select batches from the preloaded tensor (all below too)
    public const string PoolThenRelu = "pool-then-relu";
    public const string ViewMax = "view-max-then-relu";
    public const string SlicesMax = "slices-max-then-relu";

    public static readonly string[] Variants = [BaselineCopy, ReluThenPool, PoolThenRelu, ViewMax, SlicesMax, Project];

    private static PoolingFormulation PoolingOf(string variant) => variant switch
    {
        PoolThenRelu => PoolingFormulation.PoolThenRelu,
        ViewMax => PoolingFormulation.ViewMaxThenRelu,
        SlicesMax => PoolingFormulation.SlicesMaxThenRelu,
        _ => PoolingFormulation.ReluThenPool,
    };

    public static double Run(IDigitSource data, string variant, int threads, int steps, int warmup = 20)
    {
        TorchRuntime.UseThreads(threads);
        const int batch = 64;
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(1).Shuffle(order);
        var pixels = variant == BaselineCopy ? ToArray(data) : null;

        Func<int, float> step;
        IDisposable owner;
        if (variant == Project)
        {
            var trainer = new CnnTrainer(data, CnnHyperParameters.Default with { BatchSize = batch }, seed: 1);
            step = s => (float)trainer.TrainStep(order.AsSpan(s * batch % (order.Length - batch), batch))["train-loss"];
            owner = trainer;
        }
        else
        {
            var model = SeededInit.Create(1, () => new BaselineCnn(128, PoolingOf(variant)));
            var optimizer = optim.Adam(model.parameters(), 1e-3, beta1: 0.9, beta2: 0.999);
            step = s =>
            {
                using var scope = NewDisposeScope();
                var indices = order.AsSpan(s * batch % (order.Length - batch), batch);
                var (x, y) = pixels is null ? data.Batch(indices) : CopyBatch(pixels, data, indices);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                optimizer.step();
                return loss.item<float>();
            };
            owner = model;
        }

        using (owner)
        {
            for (var s = 0; s < warmup; s++) step(s);
            var clock = Stopwatch.StartNew();
            for (var s = 0; s < steps; s++) step(warmup + s);
            return steps * batch / clock.Elapsed.TotalSeconds;
        }
    }

    /// <summary>Several loops at once, each on a thread of its own with its own torch threads: total samples/s.</summary>
    public static double RunParallel(IDigitSource data, string variant, int trainers, int threadsEach, int steps)
    {
        var results = new double[trainers];
        var workers = Enumerable.Range(0, trainers).Select(i => new Thread(() => results[i] = Run(data, variant, threadsEach, steps))).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return results.Sum();
    }

    private static float[] ToArray(IDigitSource data)
    {
        using var scope = NewDisposeScope();
        var (x, _) = data.Batch(Enumerable.Range(0, data.Count).ToArray());
        return x.data<float>().ToArray();
    }

    private static (Tensor, Tensor) CopyBatch(float[] pixels, IDigitSource data, ReadOnlySpan<int> indices)
    {
        var buffer = new float[indices.Length * 784];
        var labels = new long[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(pixels, indices[i] * 784, buffer, i * 784, 784);
            labels[i] = data.LabelArray[indices[i]];
        }
        return (tensor(buffer, [indices.Length, 1, 28, 28]), tensor(labels));
    }
}
