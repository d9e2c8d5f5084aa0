using System.Text.RegularExpressions;
using Experiments.Actors.Sweeps;
using Experiments.Core.Plots;
using Experiments.Core.Scheduling;
using Experiments.Core.Trials;

namespace Experiments.Host.Dashboard;

/// <summary>
/// The JSON of GET /sweeps/{name}/trials, from a sweep's journalled detail: values at full precision
/// for sorting and drawing, and beside each the text people read (<see cref="Readable"/>, 4
/// significant digits), so the dashboard shows exactly what the console and leaderboard.md show.
/// </summary>
public static partial class SweepView
{
    public static object Of(SweepDetailProtocol.SweepDetail detail)
    {
        var varying = Readable.Varying(detail.Leaderboard.Select(r => r.Config.Parameters));
        var curves = LearningCurves.Build(RecordOf(detail), detail.Leaderboard, detail.Metric);
        return new
        {
            name = detail.Name,
            state = detail.State,
            metric = detail.Metric,
            mode = detail.Mode.ToString().ToLowerInvariant(),
            varying,
            leaderboard = detail.Leaderboard.Select(r => new
            {
                rank = r.Rank,
                config = r.Config.Id,
                state = r.State,
                parameters = varying.ToDictionary(p => p, p => r.Config.Parameters.Values.TryGetValue(p, out var v) ? Plain(v) : null),
                parameterText = varying.ToDictionary(p => p, p => r.Config.Parameters.Values.TryGetValue(p, out var v) ? Readable.Value(v) : "—"),
                mean = r.Mean,
                sd = r.StdDev,
                folds = r.FoldsWithResult,
                foldsTotal = r.Folds,
                epochs = r.MeanEpochs,
                text = new { mean = Readable.Number(r.Mean), sd = Readable.Number(r.StdDev), epochs = Readable.Number(r.MeanEpochs) },
            }),
            curves = curves.Curves.Select(c => new
            {
                config = c.Config.Id,
                best = c.Config.Id == curves.BestConfigId,
                label = Label(c.Config.Parameters, varying),
                points = c.Points.Select(p => new { epoch = p.Epoch, mean = p.Mean, min = p.Min, max = p.Max }),
                ends = c.Ends.Select(e => new { trial = e.Key.Name, epoch = e.Epoch, value = e.Value, status = e.Status.ToKebab() }),
            }),
            trials = TrialFolds(detail),
        };
    }

    /// <summary>
    /// Every trial-fold: its state, epochs, last value of the ranked metric, node (the one it runs
    /// on, or ended on; null while it waits for a slot or when its journal predates the node's
    /// event) and sample grids. Also in GET /sweeps/{name}.
    /// </summary>
    public static IEnumerable<object> TrialFolds(SweepDetailProtocol.SweepDetail detail) => detail.Trials.Select(t => new
    {
        name = t.Key.Name,
        config = t.Key.ConfigId,
        fold = t.Key.IsFinal ? (int?)null : t.Key.Fold,
        status = t.Outcome?.Status.ToKebab() ?? "running",
        epochs = t.Epochs.Length,
        last = t.Epochs.IsEmpty ? null : Readable.Number(t.Epochs[^1].Get(detail.Metric)),
        node = t.Node,
        samples = SampleFiles(detail.ResultsDirectory, t.Key),
    });

    /// <summary>One trial-fold: its epochs (every metric, full precision and readable) and how it ended; null when the sweep has no such trial.</summary>
    public static object? TrialOf(SweepDetailProtocol.SweepDetail detail, string trial)
    {
        var history = detail.Trials.FirstOrDefault(t => t.Key.Name == trial);
        if (history is null) return null;
        var parameters = detail.Leaderboard.FirstOrDefault(r => r.Config.Id == history.Key.ConfigId)?.Config.Parameters;
        var metrics = history.Epochs.SelectMany(e => e.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        return new
        {
            sweep = detail.Name,
            name = trial,
            config = history.Key.ConfigId,
            fold = history.Key.IsFinal ? (int?)null : history.Key.Fold,
            metric = detail.Metric,
            status = history.Outcome?.Status.ToKebab() ?? "running",
            node = history.Node,
            parameters = parameters?.Values.ToDictionary(kv => kv.Key, kv => Readable.Value(kv.Value)),
            outcome = history.Outcome is { } o
                ? new { status = o.Status.ToKebab(), epochsRun = o.EpochsRun, best = o.BestMetric, bestText = Readable.Number(o.BestMetric), bestEpoch = o.BestEpoch, reason = o.Reason }
                : null,
            metrics,
            epochs = history.Epochs.Select(e => new
            {
                epoch = e.Epoch,
                seconds = e.Seconds,
                values = e.Values,
                text = e.Values.ToDictionary(kv => kv.Key, kv => Readable.Number(kv.Value)),
                secondsText = Readable.Number(e.Seconds),
            }),
            samples = SampleFiles(detail.ResultsDirectory, history.Key),
        };
    }

    /// <summary>True for the sample grids a GAN trial writes (samples-epoch-NNN.png): the only files the dashboard serves.</summary>
    public static bool IsSampleFile(string file) => SampleName().IsMatch(file);

    public static string TrialDirectory(SweepDetailProtocol.SweepDetail detail, TrialKey key) => Path.Combine(detail.ResultsDirectory, "trials", key.Name);

    private static IReadOnlyList<string> SampleFiles(string resultsDirectory, TrialKey key)
    {
        var folder = Path.Combine(resultsDirectory, "trials", key.Name);
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "samples-epoch-*.png").Select(Path.GetFileName).OfType<string>().Where(IsSampleFile).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private static object Plain(Core.Spec.ParamValue value) => value.IsNumber ? value.AsDouble() : value.AsString();

    private static string Label(Core.Spec.ParameterSet parameters, IReadOnlyList<string> varying) =>
        varying.Count == 0 ? "" : string.Join(", ", varying.Select(p => $"{p}={(parameters.Values.TryGetValue(p, out var v) ? Readable.Value(v) : "—")}"));

    /// <summary>The journalled facts again as a <see cref="SweepRecord"/>, for the same curve computation as the PNG plots.</summary>
    private static SweepRecord RecordOf(SweepDetailProtocol.SweepDetail detail)
    {
        var record = new SweepRecord();
        foreach (var trial in detail.Trials)
        {
            record.Start(trial.Key);
            foreach (var epoch in trial.Epochs) record.Epoch(trial.Key, epoch);
            if (trial.Outcome is { } outcome) record.End(outcome);
        }
        return record;
    }

    [GeneratedRegex(@"^samples-epoch-\d{1,6}\.png$")]
    private static partial Regex SampleName();
}
