using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Folds;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Host;
using Experiments.Training;
using Experiments.Training.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Experiments.Bench;

/// <summary>
/// The cost of the actor runtime: the same epochs (steps + evaluation) run bare and through a
/// sweep, and a sweep's wall time at concurrency 2 against the sum of its trial-folds' times.
/// </summary>
public static class Orchestration
{
    private static string Spec(string name, int configs, int concurrency, int epochs, int stepsPerEpoch, int folds = 2) => $$"""
        experiments.sweeps = [{
          name = {{name}}
          model = cnn
          dataset = mnist-default
          search { method = random, samples = {{configs}}, seed = 1, space { learning-rate { log-uniform = [5e-4, 2e-3] } } }
          cross-validation { folds = {{folds}}, test-fraction = 0.1 }
          training { max-epochs = {{epochs}}, steps-per-epoch = {{stepsPerEpoch}}, batch-size = 64, hidden = 128 }
          resources { max-concurrent-trials = {{concurrency}}, threads-per-trial = 1 }
        }]
        """;

    /// <summary>
    /// Median epoch seconds bare and through the actors, over 5 folds. <paramref name="stepsPerEpoch"/>
    /// must be below one pass over a fold's training part (about 110 batches of 64 with 5 folds of
    /// the default digits), so that both sides run exactly that many steps.
    /// </summary>
    public static async Task<(double Bare, double Orchestrated)> EpochOverheadAsync(IDigitSource data, int epochs, int stepsPerEpoch, int rounds)
    {
        const int folds = 5;
        var spec = Load(Spec("overhead", 1, 1, epochs, stepsPerEpoch, folds));
        var parameters = SearchMethods.All(SearchMethods.Create(spec))[0].Parameters;
        var split = FoldSplitter.Split(data.LabelArray, folds, 0.1, true, 0);
        var bare = new List<double>();
        var orchestrated = new List<double>();
        // Alternating rounds, so that drifts of this shared machine fall on both sides alike.
        for (var round = 0; round < rounds; round++)
        {
            var results = Directory.CreateTempSubdirectory("bench-orchestration-").FullName;
            await RunSweepAsync(spec, results, TrainerFactory.Instance);
            orchestrated.AddRange(Directory.GetDirectories(Path.Combine(results, spec.Name, "trials"), "*-fold-*")
                .SelectMany(dir => File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Skip(1)
                    .Select(line => double.Parse(line.Split(',')[^1], CultureInfo.InvariantCulture)).Skip(1)));
            Directory.Delete(results, true);
            bare.AddRange(BareEpochs(data, split, parameters, epochs, stepsPerEpoch));
        }
        return (Median(bare), Median(orchestrated));
    }

    /// <summary>
    /// The same work bare, on one thread: each fold's epochs of shuffled batches, evaluation on its
    /// validation part, and the state capture a checkpoint needs. The first epoch of each fold (warm-up) is left out.
    /// </summary>
    private static List<double> BareEpochs(IDigitSource data, DataSplit split, ParameterSet parameters, int epochs, int stepsPerEpoch)
    {
        var times = new List<double>();
        var worker = new Thread(() =>
        {
            TorchRuntime.UseThreads(1);
            foreach (var fold in split.Folds)
            {
                using var trainer = TrainerFactory.Instance.Create(ModelKind.Cnn, data, parameters, 1);
                for (var epoch = 1; epoch <= epochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    var order = fold.Train.ToArray();
                    new Random(epoch).Shuffle(order);
                    for (var s = 0; s < stepsPerEpoch; s++) trainer.TrainStep(order.AsSpan(s * 64, 64));
                    trainer.Evaluate(fold.Validation);
                    trainer.CaptureState();
                    if (epoch > 1) times.Add(clock.Elapsed.TotalSeconds);
                }
            }
        });
        worker.Start();
        worker.Join();
        return times;
    }

    /// <summary>
    /// Wall time of the trial phase at the given concurrency, the sum of the trial-folds' own times, and how much
    /// of that their trainers were busy. With <paramref name="cpuReport"/>, also where the process's CPU time went.
    /// </summary>
    public static async Task<(double Wall, double SumOfTrials, double SumBusy)> ConcurrencyAsync(int configs, int concurrency, int epochs, int stepsPerEpoch, TextWriter? cpuReport = null)
    {
        var results = Directory.CreateTempSubdirectory("bench-concurrency-").FullName;
        var spec = Load(Spec($"concurrency-{concurrency}", configs, concurrency, epochs, stepsPerEpoch));
        var timing = new TimingFactory();
        using (var cpu = new ThreadCpu())
        {
            await RunSweepAsync(spec, results, timing);
            if (cpuReport is not null) cpu.Report(cpuReport, ThreadGroup);
        }
        Directory.Delete(results, true);
        // The last trainer built is the final retrain, which runs alone: leave it out.
        var trials = timing.Lifetimes.OrderBy(l => l.Start).SkipLast(1).ToList();
        var wall = (trials.Max(l => l.End) - trials.Min(l => l.Start)).TotalSeconds;
        if (cpuReport is not null)
        {
            // From a trainer's disposal to the next trainer's creation: the sweep's own latency between trial-folds.
            var gaps = trials.Skip(concurrency)
                .Select(t => (t.Start - trials.Where(o => o.End <= t.Start).Select(o => o.End).DefaultIfEmpty(t.Start).Max()).TotalMilliseconds)
                .ToList();
            var ends = trials.Select(t => t.End).Order().ToList();
            cpuReport.WriteLine($"gaps between trial-folds: mean {gaps.DefaultIfEmpty(0).Average():0} ms, max {gaps.DefaultIfEmpty(0).Max():0} ms; " +
                                $"last two ends {(ends[^1] - ends[^2]).TotalMilliseconds:0} ms apart");
        }
        return (wall, trials.Sum(l => (l.End - l.Start).TotalSeconds), trials.Sum(l => l.Busy.TotalSeconds));
    }

    /// <summary>Thread names without their numbers: one group for all trainers' threads, one for the pool's, and so on.</summary>
    private static string ThreadGroup(string name) => name.TrimEnd("0123456789_-#".ToCharArray()) is { Length: > 0 } trimmed ? trimmed : name;

    internal static SweepSpec Load(string text)
    {
        var result = SpecLoader.LoadText(text, "bench.hocon", Directory.GetCurrentDirectory(), Experiments.Training.Models.Context());
        if (!result.IsValid) throw new InvalidOperationException(SpecReport.Render(result));
        return result.Sweeps[0];
    }

    internal static async Task RunSweepAsync(SweepSpec spec, string results, ITrainerFactory factory)
    {
        using var host = ExperimentsHost.Build(results, factory);
        await host.StartAsync();
        var sweeps = host.Services.GetRequiredService<ActorRegistry>().Get<SweepManagerKey>();
        // The product's own wait: it ends when the manager dies (e.g. a journal recovery timing out under load) instead of hanging.
        var run = await SweepSubmission.RunAsync(sweeps, spec);
        await host.StopAsync();
        if (run.Problem is not null) throw new InvalidOperationException($"sweep {spec.Name} did not end: {run.Problem}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Records when each trainer was built and disposed (a trial-fold's lifetime), and how long it was busy in between.</summary>
    private sealed class TimingFactory : ITrainerFactory
    {
        public ConcurrentBag<(DateTime Start, DateTime End, TimeSpan Busy)> Lifetimes { get; } = new();

        public IModelTrainer Create(ModelKind model, IDigitSource data, ParameterSet parameters, int seed)
        {
            var start = DateTime.UtcNow;
            var built = Stopwatch.StartNew();
            var inner = TrainerFactory.Instance.Create(model, data, parameters, seed);
            return new Timed(inner, start, built.Elapsed, Lifetimes);
        }

        private sealed class Timed(IModelTrainer inner, DateTime start, TimeSpan building, ConcurrentBag<(DateTime, DateTime, TimeSpan)> lifetimes) : IModelTrainer
        {
            private readonly Stopwatch _busy = new();

            public int BatchSize => inner.BatchSize;

            public IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch)
            {
                _busy.Start();
                try { return inner.TrainStep(batch); } finally { _busy.Stop(); }
            }

            public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices) => Busy(() => inner.Evaluate(indices));
            public IReadOnlyDictionary<string, byte[]> CaptureState() => Busy(inner.CaptureState);
            public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source) => Busy(() => { inner.RestoreState(sections, source); return 0; });

            private T Busy<T>(Func<T> work)
            {
                _busy.Start();
                try { return work(); } finally { _busy.Stop(); }
            }

            public void Dispose()
            {
                var disposing = Stopwatch.StartNew();
                inner.Dispose();
                lifetimes.Add((start, DateTime.UtcNow, building + _busy.Elapsed + disposing.Elapsed));
            }
        }
    }
}
