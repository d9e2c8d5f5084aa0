using System.Diagnostics;
using Experiments.Training;
using Experiments.Training.Cnn;
using Experiments.Training.Data;

namespace Experiments.Bench;

/// <summary>
/// One trial-fold's CNN epochs, bare (no actors), split by the clock into their parts: the training
/// steps, the evaluation and the capture of model and optimizer state for the checkpoint. Sized as
/// the comparison's sweep (5,333 training and 2,667 validation digits, batch 64), at one hidden width.
/// </summary>
public static class EpochParts
{
    public static void Run(IDigitSource data, int hidden, int epochs, int threads)
    {
        TorchRuntime.UseThreads(threads);
        const int batch = 64, train = 5333, validation = 2667;
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(1).Shuffle(order);
        var training = order[..train];
        var held = order[train..(train + validation)];
        using var trainer = new CnnTrainer(data, CnnHyperParameters.Default with { BatchSize = batch, Hidden = hidden, Dropout = 0.25 }, seed: 1);
        Console.WriteLine($"hidden {hidden}, {threads} thread(s): epoch = {(train + batch - 1) / batch} steps + evaluation of {validation} + state capture");
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < train; start += batch)
                trainer.TrainStep(training.AsSpan(start, Math.Min(batch, train - start)));
            var steps = clock.Elapsed.TotalSeconds;
            trainer.Evaluate(held);
            var evaluation = clock.Elapsed.TotalSeconds - steps;
            var collections = GC.CollectionCount(2);
            var bytes = trainer.CaptureState().Values.Sum(b => (long)b.Length);
            var capture = clock.Elapsed.TotalSeconds - steps - evaluation;
            Console.WriteLine($"epoch {epoch}: steps {steps:0.000} s, evaluation {evaluation:0.000} s, capture {capture:0.000} s ({bytes / 1e6:0.0} MB, {GC.CollectionCount(2) - collections} full collections), total {clock.Elapsed.TotalSeconds:0.000} s");
        }
    }
}
