using System.Collections.Concurrent;
using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Cnn;
using Experiments.Training.Data;

namespace Experiments.Training.Gan;

/// <summary>Where a cached classifier lives, how well it classifies held-out digits, and whether this call trained it.</summary>
public sealed record CachedClassifier(string Path, double HeldOutAccuracy, bool TrainedNow);

/// <summary>
/// The feature network of the digit FID: the project's own <see cref="DigitCnn"/>, trained once per
/// dataset and seed and cached as a checkpoint under
/// <c>CACHE/classifiers/&lt;dataset&gt;-&lt;count&gt;-seed&lt;seed&gt;.ckpt</c>, so every GAN trial of
/// every sweep measures with the same ruler. Each trainer loads its own copy of the weights
/// (trainers live on different threads; modules are not shared across threads).
/// </summary>
public static class DigitClassifierCache
{
    /// <summary>The seed trials use unless told otherwise: one shared ruler, not one per trial.</summary>
    public const int DefaultSeed = 0;
    public const int Epochs = 3;
    public const int HeldOutPercent = 10;
    public static readonly CnnHyperParameters Recipe = CnnHyperParameters.Default with
    {
        Hidden = 128, Dropout = 0, Optimizer = "adam", LearningRate = 1e-3, WeightDecay = 0, BatchSize = 64,
    };

    // One lock per file: two trials of one host asking at once train it once. Across processes the
    // atomic write of CheckpointFile makes the race harmless (both write an equally valid file).
    private static readonly ConcurrentDictionary<string, Lock> Gates = new();

    public static string PathFor(IDigitSource data, int seed, string? cacheDirectory = null) =>
        Path.Combine(cacheDirectory ?? DefaultDigits.CacheDirectory(), "classifiers", $"{Sanitise(data.Name)}-{data.Count}-seed{seed}.ckpt");

    /// <summary>Trains and caches the classifier unless a valid one is cached already.</summary>
    public static CachedClassifier Ensure(IDigitSource data, int seed = DefaultSeed, string? cacheDirectory = null)
    {
        var path = PathFor(data, seed, cacheDirectory);
        lock (Gates.GetOrAdd(path, _ => new Lock()))
        {
            if (TryReadAccuracy(path) is { } accuracy) return new CachedClassifier(path, accuracy, TrainedNow: false);
            return new CachedClassifier(path, Train(data, seed, path), TrainedNow: true);
        }
    }

    /// <summary>A fresh copy of the cached classifier (trained first if need be), in eval mode, owned by the caller.</summary>
    public static DigitCnn Load(IDigitSource data, int seed = DefaultSeed, string? cacheDirectory = null)
    {
        var path = Ensure(data, seed, cacheDirectory).Path;
        var (_, sections) = CheckpointFile.Read(path);
        // Its initial weights are replaced below, but building it draws from torch's global generator:
        // under SeededInit's lock, so that those draws never fall inside another trial's seeded
        // initialisation on another thread (a GAN trial loads it while a sibling trial builds its model).
        var model = SeededInit.Create(seed, () => new DigitCnn(Recipe.Hidden, Recipe.Dropout));
        TorchState.Load(model, TorchState.Section(path, sections, "model"));
        model.eval();
        return model;
    }

    private static double? TryReadAccuracy(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return CheckpointFile.Read(path).Meta.Metrics[CnnModel.Metrics.ValAccuracy];
        }
        catch (CheckpointException)
        {
            return null; // damaged: train again and replace it
        }
    }

    /// <summary>Trains on a seeded 90 % of the digits, measures accuracy on the rest, writes the checkpoint.</summary>
    private static double Train(IDigitSource data, int seed, string path)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(order);
        var heldOut = order.Length * HeldOutPercent / 100;
        var validation = order[..heldOut];
        var training = order[heldOut..];

        using var trainer = new CnnTrainer(data, Recipe, seed);
        var shuffle = new Random(seed + 1);
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            shuffle.Shuffle(training);
            for (var start = 0; start < training.Length; start += Recipe.BatchSize)
                trainer.TrainStep(training.AsSpan(start, Math.Min(Recipe.BatchSize, training.Length - start)));
        }
        var metrics = trainer.Evaluate(validation);
        trainer.SaveCheckpoint(path, new CheckpointMeta("cnn", Epochs, Epochs * (long)training.Length, metrics));
        return metrics[CnnModel.Metrics.ValAccuracy];
    }

    private static string Sanitise(string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).Trim('.');
        return safe.Length == 0 ? "dataset" : safe;
    }
}
