using System.Diagnostics;
using Experiments.Training;
using Experiments.Training.Data;
using Experiments.Training.Gan;

namespace Experiments.Bench;

/// <summary>The bare GAN loop: steps per second (one D update + one G update, batch 64, z 64).</summary>
public static class GanLoop
{
    public static double Run(IDigitSource data, int threads, int steps, int warmup = 20)
    {
        TorchRuntime.UseThreads(threads);
        using var trainer = new GanTrainer(data, GanHyperParameters.Default, seed: 1, DigitClassifierCache.Load(data));
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(1).Shuffle(order);
        for (var s = 0; s < warmup; s++) trainer.TrainStep(order.AsSpan(s * 64 % (order.Length - 64), 64));
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++) trainer.TrainStep(order.AsSpan((warmup + s) * 64 % (order.Length - 64), 64));
        return steps / clock.Elapsed.TotalSeconds;
    }
}
