using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors;
using Experiments.Actors.Trials;
using Experiments.Bench.Reference;
using Experiments.Core.Folds;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Xunit.Abstractions;

namespace Experiments.Bench.Tests;

/// <summary>
/// The export the Python reference trains on must be what the runtime trains on: the same split,
/// the same trial seeds, the same batches. Each check compares with the runtime's own code.
/// </summary>
public sealed class ReferenceExportSpecs(ITestOutputHelper output) : TestKit(ActorsConfig.Config, output: output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly int[] Labels = Enumerable.Range(0, 600).Select(i => i * 7 % 10).ToArray();

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Experiments.sln"))) return dir.FullName;
        throw new InvalidOperationException("no Experiments.sln above the test's folder");
    }

    private static SweepSpec Spec(string name)
    {
        var result = SpecLoader.LoadFile(Path.Combine(Root(), "bench", "reference", name), new SpecContext { Models = Training.Models.Registry });
        Assert.True(result.IsValid, SpecReport.Render(result));
        return result.Sweeps.Single();
    }

    [Theory]
    [InlineData("sweep.hocon", PruningRule.None)]
    [InlineData("sweep-median.hocon", PruningRule.Median)]
    public void Should_declare_the_sweep_that_sweep_py_runs_in_optuna(string file, PruningRule pruning)
    {
        var spec = Spec(file);
        Assert.Equal((SearchMethodKind.Random, 12), (spec.Search.Method, spec.Search.Samples));
        var space = spec.Search.Space.Parameters.ToDictionary(p => p.Name);
        Assert.Equal(["dropout", "hidden", "learning-rate"], space.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new LogUniformDomain("learning-rate", 1e-4, 1e-2, null), space["learning-rate"]);
        Assert.Equal([64.0, 128.0, 256.0], Assert.IsType<ChoiceDomain>(space["hidden"]).Choices.Select(c => c.AsDouble()));
        Assert.Equal(new UniformDomain("dropout", 0, 0.5, null), space["dropout"]);
        Assert.Equal((3, true, 0.2), (spec.CrossValidation.Folds, spec.CrossValidation.Stratified, spec.CrossValidation.TestFraction));
        Assert.Equal((6, 64), (spec.Training.MaxEpochs, spec.Training.Defaults.Int("batch-size")));
        Assert.Equal((true, CnnMetric, 2), (spec.EarlyStopping.Enabled, spec.EarlyStopping.Metric, spec.EarlyStopping.Patience));
        Assert.Equal((2, 1), (spec.Resources.MaxConcurrentTrials, spec.Resources.ThreadsPerTrial));
        Assert.Equal(pruning, spec.Pruning.Rule);
    }

    private const string CnnMetric = Training.Cnn.CnnModel.Metrics.ValAccuracy;

    [Fact]
    public void Should_split_as_the_sweep_supervisor_does()
    {
        var spec = Spec("sweep.hocon");
        var plan = ReferenceExport.Plan(spec, Labels);
        var runtime = FoldSplitter.Split(Labels, 3, 0.2, stratified: true, seed: spec.CrossValidation.Seed);
        Assert.Equal(runtime.Test.ToArray(), plan.Split.Test.ToArray());
        Assert.Equal(runtime.TrainPool.ToArray(), plan.Split.TrainPool.ToArray());
        Assert.Equal(runtime.Folds.Select(f => (f.Train.ToArray(), f.Validation.ToArray())), plan.Split.Folds.Select(f => (f.Train.ToArray(), f.Validation.ToArray())));
    }

    [Fact]
    public void Should_give_each_trial_fold_and_final_retrain_the_seed_the_scheduler_launches_it_with()
    {
        var spec = Spec("sweep.hocon");
        var plan = ReferenceExport.Plan(spec, Labels);
        var keys = Enumerable.Range(0, 12).SelectMany(c => new[] { 0, 1, 2, TrialKey.FinalFold }.Select(f => new TrialKey(c, f))).ToList();
        Assert.Equal(keys.Count, plan.Trials.Length);
        Assert.Equal(keys.ToHashSet(), plan.Trials.Select(t => new TrialKey(t.ConfigId, t.Fold)).ToHashSet());
        Assert.All(plan.Trials, t => Assert.Equal(SweepScheduler.TrialSeed(42, new TrialKey(t.ConfigId, t.Fold)), t.Seed));
        Assert.All(plan.Trials, t => Assert.Equal(6, t.Epochs.Length));
    }

    [Fact]
    public void Should_export_the_batches_the_data_loader_serves()
    {
        var plan = ReferenceExport.Plan(Spec("sweep.hocon"), Labels);
        foreach (var trial in new[] { plan.Trials.Single(t => t is { ConfigId: 5, Fold: 1 }), plan.Trials.Single(t => t is { ConfigId: 2, Fold: TrialKey.FinalFold }) })
        {
            var indices = trial.Fold == TrialKey.FinalFold ? plan.Split.TrainPool : plan.Split.Folds[trial.Fold].Train;
            var loader = Sys.ActorOf(DataLoader.Props(indices, 64, trial.Seed, stepsPerEpoch: null));
            foreach (var epoch in new[] { 1, 2, 6 })
                Assert.Equal(trial.Epochs[epoch - 1], PullEpoch(loader, epoch));
        }
    }

    /// <summary>Every batch of one epoch, as the trainer pulls them, concatenated.</summary>
    private int[] PullEpoch(IActorRef loader, int epoch)
    {
        var served = new List<int>();
        for (var index = 0; ; index++)
        {
            loader.Tell(new DataLoaderProtocol.NextBatch(epoch, index));
            var reply = ExpectMsg<object>(Patience);
            if (reply is DataLoaderProtocol.EpochExhausted) return served.ToArray();
            var batch = Assert.IsType<DataLoaderProtocol.Batch>(reply);
            Assert.True(batch.Indices.Length is > 0 and <= 64);
            served.AddRange(batch.Indices);
        }
    }

    [Fact]
    public void Should_round_trip_the_split_the_orders_and_the_seeds_through_the_files()
    {
        using var dir = new TempDir();
        var spec = Spec("sweep-median.hocon");
        var plan = ReferenceExport.Plan(spec, Labels);
        ReferenceExport.WriteSweep(spec, plan, dir.Path);

        foreach (var trial in plan.Trials)
        {
            var (values, shape) = NpyFile.ReadInt32(dir.File(ReferenceExport.OrdersFile(trial.ConfigId, trial.Fold)));
            Assert.Equal([6L, trial.Epochs[0].Length], shape);
            Assert.Equal(trial.Epochs.SelectMany(e => e), values);
        }
        using var split = JsonDocument.Parse(File.ReadAllText(dir.File("split.json")));
        int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal(plan.Split.Test.ToArray(), Ints(split.RootElement.GetProperty("test")));
        Assert.Equal(plan.Split.TrainPool.ToArray(), Ints(split.RootElement.GetProperty("train_pool")));
        var folds = split.RootElement.GetProperty("folds").EnumerateArray().ToList();
        Assert.Equal(plan.Split.Folds.Select(f => f.Validation.ToArray()), folds.Select(f => Ints(f.GetProperty("validation"))));
        Assert.Equal(plan.Split.Folds.Select(f => f.Train.ToArray()), folds.Select(f => Ints(f.GetProperty("train"))));

        using var manifest = JsonDocument.Parse(File.ReadAllText(dir.File("manifest.json")));
        var m = manifest.RootElement;
        Assert.Equal((12, 42, 3, 6, 64, 2, 2, 1), (m.GetProperty("samples").GetInt32(), m.GetProperty("search_seed").GetInt32(), m.GetProperty("folds").GetInt32(),
            m.GetProperty("max_epochs").GetInt32(), m.GetProperty("batch_size").GetInt32(), m.GetProperty("patience").GetInt32(),
            m.GetProperty("concurrency").GetInt32(), m.GetProperty("threads_per_trial").GetInt32()));
        Assert.Equal(("median", 1, 4, CnnMetric), (m.GetProperty("pruning").GetString(), m.GetProperty("grace_epochs").GetInt32(),
            m.GetProperty("min_trials").GetInt32(), m.GetProperty("metric").GetString()));
        var seeds = m.GetProperty("seeds").EnumerateArray().ToDictionary(s => (s.GetProperty("config").GetInt32(), s.GetProperty("fold").GetInt32()), s => s.GetProperty("seed").GetInt32());
        Assert.Equal(plan.Trials.ToDictionary(t => (t.ConfigId, t.Fold), t => t.Seed), seeds);
    }

    [Fact]
    public void Should_export_the_loop_benchmarks_order()
    {
        var order = ReferenceExport.LoopOrder(1000);
        var expected = Enumerable.Range(0, 1000).ToArray();
        new Random(1).Shuffle(expected);  // CnnLoop's and GanLoop's order
        Assert.Equal(expected, order);
    }
}
