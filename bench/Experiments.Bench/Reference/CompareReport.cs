using Experiments.Core.Trials;

namespace Experiments.Bench.Reference;

/// <summary>The comparison's tables, as docs/PERFORMANCE.md shows them: every pair, then the medians and ratios.</summary>
public static class CompareReport
{
    private static readonly (string Key, string Header)[] SweepColumns =
    [
        ("wall_seconds", "wall, start → summary (s)"), ("best_cv", "best mean CV accuracy"), ("test_accuracy", "test accuracy"),
        ("epochs", "epochs trained (CV)"), ("final_epochs", "final retrain epochs"), ("pruned", "configs pruned"),
    ];

    public static void Print(string kind, IReadOnlyList<Sample> samples, IReadOnlyList<VariantSummary> summary, TextWriter output)
    {
        output.WriteLine();
        var columns = kind switch
        {
            "cnn" => [("samples_per_second", "samples/s")],
            "gan" => [("steps_per_second", "steps/s")],
            "startup" => [("startup_seconds", "process start → first training step (s)"), ("process_seconds", "whole process (s)")],
            _ => SweepColumns,
        };
        output.WriteLine($"| variant | pair | side | {string.Join(" | ", columns.Select(c => c.Item2))} |");
        output.WriteLine($"|---|---:|---|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var s in samples)
            output.WriteLine($"| {s.Variant} | {s.Pair} | {s.Side} | {string.Join(" | ", columns.Select(c => Cell(s.Values, c.Item1)))} |");
        foreach (var v in summary)
        {
            output.WriteLine($"| {v.Variant} | median | {CompareSetup.ExperimentsSide} | {string.Join(" | ", columns.Select(c => Cell(v.Experiments, c.Item1)))} |");
            output.WriteLine($"| {v.Variant} | median | {CompareSetup.ReferenceSide} | {string.Join(" | ", columns.Select(c => Cell(v.Reference, c.Item1)))} |");
        }
        output.WriteLine();
        output.WriteLine("| variant | Experiments / reference, ratio of medians | median of the pairs' ratios | pairs' ratios |");
        output.WriteLine("|---|---:|---:|---|");
        foreach (var v in summary)
            output.WriteLine($"| {v.Variant} ({v.Metric}) | **{Readable.Number(v.RatioOfMedians)}** | {Readable.Number(v.MedianPairRatio)} | {string.Join(", ", v.PairRatios.Select(r => Readable.Number(r)))} |");
        output.WriteLine(Compare.HigherIsBetter(kind) ? "(above 1: Experiments is faster)" : "(below 1: Experiments is faster)");
        if (columns == SweepColumns) PrintEpochTimes(samples, output);
    }

    /// <summary>The sweeps' epochs, timed by each side (training and evaluation): in all, and the mean epoch by hidden width.</summary>
    private static void PrintEpochTimes(IReadOnlyList<Sample> samples, TextWriter output)
    {
        var widths = samples.SelectMany(s => s.Values.Keys).Where(k => k.StartsWith(EpochsPrefix, StringComparison.Ordinal))
            .Select(k => k[EpochsPrefix.Length..]).Distinct().OrderBy(w => int.TryParse(w, out var n) ? n : int.MaxValue).ToList();
        if (widths.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"| variant | pair | side | sum of CV epochs (s) | {string.Join(" | ", widths.Select(w => $"mean epoch, hidden {w} (s) [epochs]"))} |");
        output.WriteLine($"|---|---:|---|---:|{string.Concat(widths.Select(_ => "---:|"))}");
        foreach (var s in samples)
            output.WriteLine($"| {s.Variant} | {s.Pair} | {s.Side} | {Cell(s.Values, "epoch_seconds")} | {string.Join(" | ", widths.Select(w => MeanEpoch(s.Values, w)))} |");
    }

    private const string EpochsPrefix = "epochs_hidden_";

    private static string MeanEpoch(IReadOnlyDictionary<string, double> values, string width) =>
        values.TryGetValue(EpochsPrefix + width, out var epochs) && values.TryGetValue($"epoch_seconds_hidden_{width}", out var seconds) && epochs > 0
            ? $"{Readable.Number(seconds / epochs)} [{epochs:0}]"
            : "—";

    private static string Cell(IReadOnlyDictionary<string, double> values, string key) => values.TryGetValue(key, out var v) ? Readable.Number(v) : "—";
}
