using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Experiments.Core.Trials;
using Experiments.Training;

namespace Experiments.Bench;

/// <summary>
/// Issue #11's measurements on the real runtime: TPE against random search, and Hyperband and ASHA
/// against no pruning, on one CNN sweep (12 configs × 3 folds of the 10,000 default digits, 2,000
/// held out for the test; ≤ 6 epochs, early stopping on val-accuracy with patience 2, concurrency 2).
/// Each variant runs once per seed as a spec through the host, as `run` does; the numbers come
/// from the sweep's results folder.
/// </summary>
public static class SearchQuality
{
    public const string Metric = "val-accuracy";

    /// <summary>A way of searching: the method, TPE's startup trials (null = its default, 10), the pruning rule.</summary>
    public sealed record Variant(string Key, string Label, string Method, int? StartupTrials, string Pruning);

    public static readonly Variant Random = new("random", "random", "random", null, "none");
    public static readonly Variant Tpe = new("tpe", "TPE, startup 10 (default)", "tpe", null, "none");
    public static readonly Variant Tpe4 = new("tpe4", "TPE, startup 4", "tpe", 4, "none");
    public static readonly Variant Asha = new("asha", "random + ASHA", "random", null, "asha");
    public static readonly Variant Hyperband = new("hyperband", "random + Hyperband", "random", null, "hyperband");

    private static readonly Variant[] All = [Random, Tpe, Tpe4, Asha, Hyperband];

    /// <summary>tpe: random and TPE; pruning: random (unpruned) and its two pruned versions; all: every variant; or keys, comma-separated (random,tpe4).</summary>
    public static IReadOnlyList<Variant> Variants(string what) => what switch
    {
        "tpe" => [Random, Tpe, Tpe4],
        "pruning" => [Random, Asha, Hyperband],
        "all" => All,
        _ => what.Split(',', StringSplitOptions.TrimEntries).Select(key => All.FirstOrDefault(v => v.Key == key)
            ?? throw new ArgumentException($"--what: '{key}' is not tpe, pruning, all or one of {string.Join(", ", All.Select(v => v.Key))}")).ToList(),
    };

    public static Variant ByKey(string key) => All.FirstOrDefault(v => v.Key == key) ?? throw new InvalidDataException($"unknown variant '{key}'");

    /// <summary>Pruning rules judge from epoch 1 with η = 3 (6 epochs: ASHA's rungs at 1 and 3; Hyperband's 2 brackets), min-trials at its default 4.</summary>
    /// <param name="limit">The first N digits instead of all 10,000 (the test part is 20 % of them).</param>
    public static string Spec(Variant variant, int seed, int? limit = null) => $$"""
        experiments.sweeps = [{
          name = {{variant.Key}}-seed-{{seed}}
          model = cnn
          dataset = {{(limit is { } n ? $"{{ name = mnist-default, limit = {n} }}" : "mnist-default")}}
          search {
            method = {{variant.Method}}
            samples = 12
            seed = {{seed}}
            {{(variant.StartupTrials is { } startup ? $"tpe {{ startup-trials = {startup} }}" : "")}}
            space {
              learning-rate { log-uniform = [1e-4, 1e-2] }
              hidden = [64, 128, 256]
              dropout { uniform = [0, 0.5] }
            }
          }
          cross-validation { folds = 3, stratified = on, seed = 7, test-fraction = 0.2 }
          training { max-epochs = 6 }
          early-stopping { enabled = on, metric = {{Metric}}, patience = 2 }
          pruning { rule = {{variant.Pruning}}, grace-epochs = 1, reduction-factor = 3 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
        }]
        """;

    /// <summary>`search-quality [--seeds N] [--first-seed S] [--what tpe|pruning|all|KEY,...] [--limit N] [--results DIR] [--csv FILE]`, or `--summarise CSV...`.</summary>
    public static Command Command()
    {
        var seeds = new Option<int>("--seeds") { DefaultValueFactory = _ => 5, Description = "seeds 1..N, each variant once per seed" };
        var what = new Option<string>("--what") { DefaultValueFactory = _ => "all", Description = "tpe (random against TPE), pruning (no pruning against ASHA and Hyperband) or all" };
        var results = new Option<string?>("--results") { Description = "results folder (default: a new temporary one); checkpoints are deleted after each run" };
        var csv = new Option<string?>("--csv") { Description = "where every run is appended in full precision (default: RESULTS/search-quality.csv)" };
        var firstSeed = new Option<int>("--first-seed") { DefaultValueFactory = _ => 1, Description = "seeds FIRST..FIRST+N-1 (to share the seeds among processes)" };
        var limit = new Option<int?>("--limit") { Description = "train on the first N of the 10,000 default digits (a smaller, faster sweep)" };
        var summarise = new Option<string[]>("--summarise") { Description = "run nothing: print the tables of these CSV files (written by earlier runs)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("search-quality", "TPE against random search, and ASHA and Hyperband against no pruning, on a 12-config CNN sweep") { seeds, what, results, csv, firstSeed, limit, summarise };
        command.SetAction(async parse =>
        {
            if (parse.GetValue(summarise) is { Length: > 0 } files)
            {
                var read = files.SelectMany(f => File.ReadAllLines(f).Skip(1).Where(l => l.Length > 0).Select(ParseCsvLine)).ToList();
                PrintRuns(read.OrderBy(r => r.Seed).ThenBy(r => Array.IndexOf(All, r.Variant)).ToList(), Console.Out);
                Console.WriteLine();
                PrintSummary(read.OrderBy(r => Array.IndexOf(All, r.Variant)).ToList(), Console.Out);
                return;
            }
            var variants = Variants(parse.GetValue(what)!);
            var folder = parse.GetValue(results) ?? Directory.CreateTempSubdirectory("bench-search-quality-").FullName;
            Directory.CreateDirectory(folder);
            var seedRange = Enumerable.Range(parse.GetValue(firstSeed), parse.GetValue(seeds)).ToList();
            var runs = await RunAllAsync(variants, seedRange, parse.GetValue(limit), folder, parse.GetValue(csv) ?? Path.Combine(folder, "search-quality.csv"), Console.Out);
            Console.WriteLine();
            PrintSummary(runs, Console.Out);
        });
        return command;
    }

    public sealed record Run(Variant Variant, int Seed, SweepMeasure Measure, double WallSeconds);

    /// <summary>Runs every variant for each seed, seed by seed, appending each run to <paramref name="csvPath"/> as it ends.</summary>
    public static async Task<List<Run>> RunAllAsync(IReadOnlyList<Variant> variants, IReadOnlyList<int> seeds, int? limit, string results, string csvPath, TextWriter output)
    {
        var runs = new List<Run>();
        output.WriteLine($"results in {results}, every run in {csvPath}");
        output.WriteLine(RunsHeader);
        foreach (var seed in seeds)
            foreach (var variant in variants)
            {
                var spec = Orchestration.Load(Spec(variant, seed, limit));
                var clock = Stopwatch.StartNew();
                await Orchestration.RunSweepAsync(spec, results, TrainerFactory.Instance);
                var wall = clock.Elapsed.TotalSeconds;
                var folder = Path.Combine(results, spec.Name);
                var run = new Run(variant, seed, SweepMeasure.Read(folder, Metric), wall);
                foreach (var checkpoint in Directory.EnumerateFiles(folder, "*.ckpt", SearchOption.AllDirectories)) File.Delete(checkpoint);
                runs.Add(run);
                AppendCsv(csvPath, run);
                output.WriteLine(RunLine(run));
            }
        return runs;
    }

    private const string RunsHeader = "| variant | seed | best config | best CV accuracy (folds) | best unpruned config's CV accuracy | test accuracy | epochs | pruned configs | wall |\n" +
                                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|";

    private static string RunLine(Run run)
    {
        var m = run.Measure;
        return $"| {run.Variant.Label} | {run.Seed} | {m.BestConfig} | {N(m.BestMean)} ({m.BestFolds}) | {N(m.BestCompleteMean)} | {N(m.TestScore)} | {m.Epochs} | {m.PrunedConfigs} | {N(run.WallSeconds)} s |";
    }

    public static void PrintRuns(IReadOnlyList<Run> runs, TextWriter output)
    {
        output.WriteLine(RunsHeader);
        foreach (var run in runs) output.WriteLine(RunLine(run));
    }

    public const string CsvHeader =
        "variant,method,startup-trials,pruning,seed,best-config,best-cv-accuracy,best-folds,best-complete-cv-accuracy,test-accuracy,epochs,trial-folds,pruned-configs,wall-seconds,final-retrain-seconds";

    /// <summary>One run in full precision, in <see cref="CsvHeader"/>'s columns.</summary>
    public static string CsvLine(Run run)
    {
        var m = run.Measure;
        return string.Join(",",
            run.Variant.Key, run.Variant.Method, run.Variant.StartupTrials?.ToString(CultureInfo.InvariantCulture) ?? "", run.Variant.Pruning,
            I(run.Seed), I(m.BestConfig), R(m.BestMean), I(m.BestFolds), R(m.BestCompleteMean), R(m.TestScore),
            I(m.Epochs), I(m.TrialFolds), I(m.PrunedConfigs), R(run.WallSeconds), R(m.FinalSeconds));
    }

    /// <summary>The inverse of <see cref="CsvLine"/>.</summary>
    public static Run ParseCsvLine(string line)
    {
        var c = line.Split(',');
        if (c.Length != CsvHeader.Split(',').Length) throw new InvalidDataException($"expected {CsvHeader.Split(',').Length} columns: {line}");
        static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        static double? Real(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
        var measure = new SweepMeasure(Int(c[5]), Real(c[6])!.Value, Int(c[7]), Real(c[8]), Real(c[9]), Int(c[10]), Int(c[11]), Int(c[12]), Real(c[14])!.Value);
        return new Run(ByKey(c[0]), Int(c[4]), measure, Real(c[13])!.Value);
    }

    private static void AppendCsv(string path, Run run)
    {
        if (!File.Exists(path)) File.WriteAllText(path, CsvHeader + "\n");
        File.AppendAllText(path, CsvLine(run) + "\n");
    }

    /// <summary>Per variant, in the order given: the mean (and sd) over its seeds.</summary>
    public static void PrintSummary(IReadOnlyList<Run> runs, TextWriter output)
    {
        output.WriteLine("| variant | seeds | best CV accuracy, mean ± sd | test accuracy, mean | epochs, mean ± sd | wall, mean |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var group in runs.GroupBy(r => r.Variant))
        {
            var best = MeanSd(group.Select(r => r.Measure.BestMean));
            var epochs = MeanSd(group.Select(r => (double)r.Measure.Epochs));
            var test = group.Where(r => r.Measure.TestScore is not null).Select(r => r.Measure.TestScore!.Value).DefaultIfEmpty(double.NaN).Average();
            output.WriteLine($"| {group.Key.Label} | {group.Count()} | {N(best.Mean)} ± {N(best.Sd)} | {N(test)} | {N(epochs.Mean)} ± {N(epochs.Sd)} | {N(group.Average(r => r.WallSeconds))} s |");
        }
    }

    /// <summary>Mean and sample standard deviation (0 for a single value).</summary>
    public static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        var sd = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return (mean, sd);
    }

    private static string N(double? value) => Readable.Number(value);
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string R(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
