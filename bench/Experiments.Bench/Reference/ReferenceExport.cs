using System.Collections.Immutable;
using System.Text.Json;
using Experiments.Actors.Trials;
using Experiments.Core.Folds;
using Experiments.Core.Scheduling;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training.Data;
using static TorchSharp.torch;

namespace Experiments.Bench.Reference;

/// <summary>The batch orders of one trial-fold (or a final retrain, fold −1): epoch e's order at index e − 1.</summary>
public sealed record TrialOrders(int ConfigId, int Fold, int Seed, ImmutableArray<int[]> Epochs);

/// <summary>What the runtime would train a sweep's trial-folds on: the split, and every trial-fold's batch orders.</summary>
public sealed record SweepPlan(DataSplit Split, ImmutableArray<TrialOrders> Trials);

/// <summary>
/// Exports the default digits, a sweep's split and the batch orders the runtime would use to files
/// the Python reference reads (bench/reference/common.py), so both sides train on identical
/// batches. The orders come from the runtime's own functions (FoldSplitter, SweepScheduler.TrialSeed,
/// DataLoader.EpochOrder); config i of Experiments' search corresponds to Optuna's trial number i.
/// </summary>
public static class ReferenceExport
{
    /// <summary>The loop benchmarks' order (CnnLoop, GanLoop): a seeded shuffle of every digit.</summary>
    public static int[] LoopOrder(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(1).Shuffle(order);
        return order;
    }

    public static SweepPlan Plan(SweepSpec spec, IReadOnlyList<int> labels)
    {
        var cv = spec.CrossValidation;
        var split = FoldSplitter.Split(labels, cv.Folds, cv.TestFraction, cv.Stratified, cv.Seed);
        var trials = new List<TrialOrders>();
        for (var config = 0; config < spec.Search.Samples; config++)
        {
            foreach (var fold in split.Folds) trials.Add(Orders(spec, new TrialKey(config, fold.Number), fold.Train));
            trials.Add(Orders(spec, new TrialKey(config, TrialKey.FinalFold), split.TrainPool));
        }
        return new SweepPlan(split, trials.ToImmutableArray());
    }

    private static TrialOrders Orders(SweepSpec spec, TrialKey key, ImmutableArray<int> indices)
    {
        var seed = SweepScheduler.TrialSeed(spec.Search.Seed, key);
        var epochs = Enumerable.Range(1, spec.Training.MaxEpochs).Select(e => DataLoader.EpochOrder(indices, seed, e)).ToImmutableArray();
        return new TrialOrders(key.ConfigId, key.Fold, seed, epochs);
    }

    public static string OrdersFile(int config, int fold) => fold == TrialKey.FinalFold ? $"orders-c{config}-final.npy" : $"orders-c{config}-f{fold}.npy";

    /// <summary>images.npy (float32 [N,1,28,28], the runtime's pixel values) and labels.npy (int32 [N]).</summary>
    public static void WriteDigits(DigitDataset data, string directory)
    {
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        NpyFile.Write(Path.Combine(directory, "images.npy"), data.Images.contiguous().data<float>().ToArray(), data.Count, 1, 28, 28);
        NpyFile.Write(Path.Combine(directory, "labels.npy"), data.LabelArray.ToArray(), data.Count);
        NpyFile.Write(Path.Combine(directory, "loop-order.npy"), LoopOrder(data.Count), data.Count);
    }

    /// <summary>split.json, manifest.json (the sweep's settings) and one orders file per trial-fold, under <paramref name="directory"/>.</summary>
    public static void WriteSweep(SweepSpec spec, SweepPlan plan, string directory)
    {
        Directory.CreateDirectory(directory);
        var split = new
        {
            train_pool = plan.Split.TrainPool,
            test = plan.Split.Test,
            folds = plan.Split.Folds.Select(f => new { train = f.Train, validation = f.Validation }),
        };
        File.WriteAllText(Path.Combine(directory, "split.json"), JsonSerializer.Serialize(split));
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(Manifest(spec, plan), new JsonSerializerOptions { WriteIndented = true }));
        foreach (var trial in plan.Trials)
        {
            var n = trial.Epochs[0].Length;
            NpyFile.Write(Path.Combine(directory, OrdersFile(trial.ConfigId, trial.Fold)), trial.Epochs.SelectMany(e => e).ToArray(), trial.Epochs.Length, n);
        }
    }

    private static object Manifest(SweepSpec spec, SweepPlan plan) => new
    {
        name = spec.Name,
        samples = spec.Search.Samples,
        search_seed = spec.Search.Seed,
        folds = spec.CrossValidation.Folds,
        max_epochs = spec.Training.MaxEpochs,
        steps_per_epoch = spec.Training.StepsPerEpoch,
        batch_size = spec.Training.Defaults.Int("batch-size"),
        metric = spec.EarlyStopping.Metric,
        early_stopping = spec.EarlyStopping.Enabled,
        patience = spec.EarlyStopping.Patience,
        min_delta = spec.EarlyStopping.MinDelta,
        pruning = spec.Pruning.Rule.ToString().ToLowerInvariant(),
        grace_epochs = spec.Pruning.GraceEpochs,
        min_trials = spec.Pruning.MinTrials,
        concurrency = spec.Resources.MaxConcurrentTrials,
        threads_per_trial = spec.Resources.ThreadsPerTrial,
        seeds = plan.Trials.Select(t => new { config = t.ConfigId, fold = t.Fold, seed = t.Seed, file = OrdersFile(t.ConfigId, t.Fold) }),
    };
}
