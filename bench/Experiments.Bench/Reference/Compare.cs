using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Experiments.Core.Trials;
using Experiments.Training.Data;

namespace Experiments.Bench.Reference;

/// <summary>
/// `compare cnn|gan|sweep|sweep-median|startup [--pairs N]`: Experiments against PyTorch 1.13 +
/// Optuna 3.1 (bench/reference/*.py) on the same data, split and batch order, in A/B pairs whose
/// order alternates (the machine is shared: its drift falls on both sides); medians and ratios
/// printed with 4 significant digits, every sample in full precision in a JSON file.
/// </summary>
public static class Compare
{
    public static readonly string[] Kinds = ["cnn", "gan", "sweep", "sweep-median", "startup"];

    /// <summary>The value each kind is judged by, and whether more is better.</summary>
    private static (string Metric, bool HigherIsBetter) Headline(string kind) => kind switch
    {
        "cnn" => ("samples_per_second", true),
        "gan" => ("steps_per_second", true),
        "startup" => ("startup_seconds", false),
        _ => ("wall_seconds", false),
    };

    public static Command Command()
    {
        var kind = new Argument<string>("what") { Description = string.Join(" | ", Kinds) };
        kind.AcceptOnlyFromAmong(Kinds);
        var pairs = new Option<int>("--pairs") { DefaultValueFactory = _ => 3, Description = "A/B pairs (at least 3 for a median worth reading)" };
        var steps = new Option<int?>("--steps") { Description = "measured steps per loop (cnn: 300, gan: 200)" };
        var output = new Option<string?>("--out") { Description = "results file (default bench/reference/results/WHAT-TIME.json)" };
        var spec = new Option<string?>("--spec") { Description = "sweep, sweep-median: another spec than bench/reference/sweep(-median).hocon (its space must be the one sweep.py searches)" };
        var command = new Command("compare", "Experiments against PyTorch + Optuna, side by side (docs/PERFORMANCE.md)") { kind, pairs, steps, output, spec };
        command.SetAction(parse => Run(parse.GetValue(kind)!, parse.GetValue(pairs), parse.GetValue(steps), parse.GetValue(output), parse.GetValue(spec)));
        return command;
    }

    public static int Run(string kind, int pairs, int? steps, string? output, string? specFile = null)
    {
        var root = CompareSetup.FindRoot();
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"experiments-compare-{Environment.ProcessId}")).FullName;
        using var data = DigitDataset.Load(new Core.Spec.DatasetSpec(Core.Spec.DatasetSpec.DefaultName, null, null, null));
        var setup = new CompareSetup(root, work, data);
        ReferenceExport.WriteDigits(data, setup.DigitsDirectory);
        var started = DateTime.UtcNow;
        var samples = new List<Sample>();
        foreach (var (variant, experiments, reference) in Sides(setup, kind, steps, specFile))
            for (var pair = 1; pair <= pairs; pair++)
            {
                // Odd pairs run Experiments first, even pairs the reference first.
                var order = pair % 2 == 1 ? new[] { CompareSetup.ExperimentsSide, CompareSetup.ReferenceSide } : [CompareSetup.ReferenceSide, CompareSetup.ExperimentsSide];
                foreach (var side in order)
                {
                    var before = Load();
                    var values = side == CompareSetup.ExperimentsSide ? experiments(pair) : reference(pair);
                    samples.Add(new Sample(kind, variant, pair, side, values, before, Load()));
                    Console.WriteLine($"  {variant} pair {pair} {side}: {string.Join(", ", values.Select(v => $"{v.Key} {Readable.Number(v.Value)}"))} (load {before})");
                }
            }
        var summary = Summarise(kind, samples);
        CompareReport.Print(kind, samples, summary, Console.Out);
        var file = output ?? Path.Combine(root, "bench", "reference", "results", $"{kind}-{started:yyyyMMdd'T'HHmmss}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            kind, pairs, started, finished = DateTime.UtcNow, cores = Environment.ProcessorCount,
            command = $"dotnet run -c Release --project bench/Experiments.Bench -- compare {kind} --pairs {pairs}" + (steps is { } s ? $" --steps {s}" : "") + (specFile is null ? "" : $" --spec {specFile}"),
            summary, samples,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"Full precision: {file}");
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private delegate IReadOnlyDictionary<string, double> SideRun(int pair);

    private static IEnumerable<(string Variant, SideRun Experiments, SideRun Reference)> Sides(CompareSetup setup, string kind, int? steps, string? specOverride)
    {
        switch (kind)
        {
            case "cnn":
            case "gan":
                var n = steps ?? (kind == "cnn" ? 300 : 200);
                foreach (var threads in new[] { 1, 2 })
                    yield return ($"{threads} thread{(threads == 1 ? "" : "s")}",
                        _ => kind == "cnn" ? CompareRuns.ExperimentsCnn(setup, threads, n) : CompareRuns.ExperimentsGan(setup, threads, n),
                        _ => CompareRuns.ReferenceLoop(setup, $"{kind}.py", threads, n));
                break;
            case "startup":
                yield return ("digits cached", pair => CompareRuns.ExperimentsStartup(setup, Path.Combine(setup.Work, $"results-startup-{pair}")),
                    _ => CompareRuns.ReferenceStartup(setup));
                break;
            default:
                var median = kind == "sweep-median";
                var specFile = specOverride is null ? setup.Spec(median ? "sweep-median.hocon" : "sweep.hocon") : Path.GetFullPath(specOverride);
                var spec = CompareSetup.LoadSpec(specFile);
                if (!spec.Dataset.IsDefault || spec.Dataset.MemoryMapped)
                    throw new InvalidOperationException($"{specFile}: the comparison runs on the default digits (dataset = {Core.Spec.DatasetSpec.DefaultName}), not '{spec.Dataset.Name}'");
                var sweepDirectory = Path.Combine(setup.Work, spec.Name);
                // A dataset limit keeps the first digits, as DigitDataset.Load does: the split is over those.
                var labels = setup.Data.LabelArray.Take(spec.Dataset.Limit ?? int.MaxValue).ToArray();
                ReferenceExport.WriteSweep(spec, ReferenceExport.Plan(spec, labels), sweepDirectory);
                yield return (spec.Name, pair => CompareRuns.ExperimentsSweep(setup, spec, specFile, Path.Combine(setup.Work, $"results-{kind}-{pair}")),
                    _ => CompareRuns.ReferenceSweep(setup, sweepDirectory, median));
                break;
        }
    }

    /// <summary>Per variant: each side's median of every value, the ratio of the headline medians (Experiments / reference) and the median of the pairs' ratios.</summary>
    public static IReadOnlyList<VariantSummary> Summarise(string kind, IReadOnlyList<Sample> samples)
    {
        var (metric, _) = Headline(kind);
        return samples.GroupBy(s => s.Variant).Select(variant =>
        {
            IReadOnlyDictionary<string, double> Medians(string side) => variant.Where(s => s.Side == side).SelectMany(s => s.Values)
                .GroupBy(v => v.Key).ToDictionary(g => g.Key, g => Median(g.Select(v => v.Value).ToList()));
            var experiments = Medians(CompareSetup.ExperimentsSide);
            var reference = Medians(CompareSetup.ReferenceSide);
            var pairRatios = variant.GroupBy(s => s.Pair)
                .Select(p => p.Single(s => s.Side == CompareSetup.ExperimentsSide).Values[metric] / p.Single(s => s.Side == CompareSetup.ReferenceSide).Values[metric])
                .ToList();
            return new VariantSummary(variant.Key, metric, experiments, reference, experiments[metric] / reference[metric], Median(pairRatios), pairRatios);
        }).ToList();
    }

    public static bool HigherIsBetter(string kind) => Headline(kind).HigherIsBetter;

    /// <summary>The middle value; the mean of the two middle ones for an even count.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.</summary>
    private static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

public sealed record VariantSummary(string Variant, string Metric, IReadOnlyDictionary<string, double> Experiments, IReadOnlyDictionary<string, double> Reference,
    double RatioOfMedians, double MedianPairRatio, IReadOnlyList<double> PairRatios);
