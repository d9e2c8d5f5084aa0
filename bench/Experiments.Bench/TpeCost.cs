using Experiments.Training.Cnn;
using System.Collections.Immutable;
using System.Diagnostics;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Bench;

/// <summary>
/// TPE's own cost per ask with 200 finished configs (issue #11: below 50 ms), and how many configs
/// TPE and random search need to get near the optimum of a cheap synthetic objective.
/// </summary>
public static class TpeCost
{
    private static readonly ParameterSet Defaults = CnnModel.Definition.Defaults;

    /// <summary>Log-uniform, uniform, int-range with a step, a word choice and a fixed value: every domain kind.</summary>
    private static readonly SearchSpace Space = new([
        new LogUniformDomain("learning-rate", 1e-5, 1e-1, null),
        new UniformDomain("dropout", 0, 0.8, null),
        new IntRangeDomain("hidden", 16, 250, 8),
        new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd"), ParamValue.Of("rmsprop")]),
        new FixedDomain("batch-size", ParamValue.Of(32)),
    ]);

    /// <summary>Minimum 0 at lr 1e-3, dropout 0.3, hidden 128, sgd.</summary>
    private static double Objective(ParameterSet p) =>
        Math.Pow(Math.Log10(p.Double("learning-rate")) + 3, 2)
        + Math.Pow((p.Double("dropout") - 0.3) / 0.3, 2)
        + Math.Pow((p.Double("hidden") - 128) / 64, 2)
        + (p.Text("optimizer") == "sgd" ? 0 : 1);

    private const int Warmup = 200;

    public static void Run(int finished, int asks)
    {
        Console.WriteLine($"TPE cost per ask with {finished} finished configs, {asks} asks each (ms)");
        Console.WriteLine("| mode | in flight | wall median | wall max | CPU per ask (mean) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var multivariate in new[] { false, true })
        {
            var settings = TpeSettings.Default with { Multivariate = multivariate };
            var told = History(settings, finished);
            var sampler = new TpeSampler(Space, settings, OptimizationMode.Min, 1);
            foreach (var inFlight in new[] { 0, 4 })
            {
                var flying = Enumerable.Range(0, inFlight).Select(i => told[i].Config with { Id = finished + i }).ToList();
                for (var i = 0; i < Warmup; i++) sampler.Suggest(finished + inFlight + i, told, flying);  // tiered JIT: the first calls run unoptimised code
                var wall = new List<double>();
                var cpuBefore = ThreadCpuNs();
                for (var i = 0; i < asks; i++)
                {
                    var clock = Stopwatch.StartNew();
                    sampler.Suggest(finished + inFlight + i, told, flying);
                    wall.Add(clock.Elapsed.TotalMilliseconds);
                }
                var cpuPerAsk = (ThreadCpuNs() - cpuBefore) / 1e6 / asks;
                wall.Sort();
                Console.WriteLine($"| {(multivariate ? "multivariate" : "univariate")} | {inFlight} | {wall[asks / 2]:0.000} | {wall[^1]:0.000} | {cpuPerAsk:0.000} |");
            }
        }
    }

    /// <summary>Configs until the objective first drops below <paramref name="threshold"/> (capped at the budget), TPE against random, over many seeds.</summary>
    public static void Versus(int seeds, int budget, double threshold)
    {
        Console.WriteLine($"configs to reach objective < {threshold} (budget {budget}, {seeds} seeds)");
        Console.WriteLine("| method | mean | median | reached | TPE no worse than random |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var random = Enumerable.Range(0, seeds).Select(s => ToReach(new RandomSearch(Space, Defaults, budget, s), threshold, budget)).ToList();
        Console.WriteLine($"| random | {random.Average():0.0} | {random.Order().ElementAt(seeds / 2)} | {random.Count(n => n <= budget)} | |");
        foreach (var multivariate in new[] { false, true })
        {
            var tpe = Enumerable.Range(0, seeds).Select(s => ToReach(new TpeSearch(Space, Defaults, budget, s, OptimizationMode.Min,
                TpeSettings.Default with { Multivariate = multivariate }), threshold, budget)).ToList();
            var wins = tpe.Zip(random, (t, r) => t <= r).Count(noWorse => noWorse);
            Console.WriteLine($"| tpe{(multivariate ? " multivariate" : "")} | {tpe.Average():0.0} | {tpe.Order().ElementAt(seeds / 2)} | {tpe.Count(n => n <= budget)} | {wins}/{seeds} |");
        }
    }

    /// <summary>This thread's time on a CPU (Linux schedstat, ns): what an ask costs, apart from waiting for a core on a busy machine.</summary>
    private static long ThreadCpuNs() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static int ToReach(ISearchMethod method, double threshold, int budget)
    {
        while (method.Ask() is { } config)
        {
            var value = Objective(config.Parameters);
            if (value < threshold) return config.Id + 1;
            method.Tell(ConfigResult.Completed(config.Id, value));
        }
        return budget + 1;
    }

    private static ImmutableArray<ToldConfig> History(TpeSettings settings, int finished)
    {
        var search = new TpeSearch(Space, Defaults, finished, 7, OptimizationMode.Min, settings);
        var told = ImmutableArray.CreateBuilder<ToldConfig>();
        while (search.Ask() is { } config)
        {
            var result = ConfigResult.Completed(config.Id, Objective(config.Parameters));
            search.Tell(result);
            told.Add(new ToldConfig(config, result));
        }
        return told.ToImmutable();
    }
}
