using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Trials;

namespace Experiments.Core.Plots;

/// <summary>One epoch of a config's curve: the mean of the metric over the folds that reached it, and their range.</summary>
public sealed record CurvePoint(int Epoch, double Mean, double Min, double Max, int Folds);

/// <summary>Where a trial-fold's curve stops and why; <see cref="Value"/> is its metric at that epoch.</summary>
public sealed record CurveEnd(TrialKey Key, int Epoch, double Value, TrialStatus Status);

/// <summary>A config's learning curve over its folds, with how each of its trial-folds ended so far.</summary>
public sealed record ConfigCurve(TrialConfig Config, IReadOnlyList<CurvePoint> Points, IReadOnlyList<CurveEnd> Ends, double? Score);

/// <summary>Every config's curve of one metric; <see cref="BestConfigId"/> is the leaderboard's leader, if any is ranked.</summary>
public sealed record LearningCurveSet(string Metric, IReadOnlyList<ConfigCurve> Curves, int? BestConfigId);

/// <summary>
/// The data of the learning-curve plot, from the sweep's record: no drawing here. The final retrain
/// (fold -1) is left out: it is not part of the cross-validated comparison.
/// </summary>
public static class LearningCurves
{
    public static LearningCurveSet Build(SweepRecord record, IEnumerable<LeaderboardRow> board, string metric)
    {
        var rows = board.ToList();
        var histories = record.TrialsWithHistory.Where(k => !k.IsFinal).GroupBy(k => k.ConfigId).ToDictionary(g => g.Key, g => g.ToList());
        var curves = rows.OrderBy(r => r.Config.Id).Select(row =>
        {
            var keys = histories.GetValueOrDefault(row.Config.Id) ?? [];
            var series = keys.OrderBy(k => k.Fold).Select(k => (Key: k, Points: Series(record, k, metric))).Where(s => s.Points.Count > 0).ToList();
            return new ConfigCurve(row.Config, Aggregate(series.Select(s => s.Points)), Ends(record, series), row.Mean);
        }).ToList();
        var best = rows.FirstOrDefault(r => r.Mean is not null)?.Config.Id;
        return new LearningCurveSet(metric, curves, best);
    }

    /// <summary>The metric of one trial-fold by epoch, skipping epochs that did not report it.</summary>
    public static IReadOnlyList<(int Epoch, double Value)> Series(SweepRecord record, TrialKey key, string metric) =>
        record.Epochs(key).Where(m => m.Get(metric) is not null).Select(m => (m.Epoch, m.Get(metric)!.Value)).ToList();

    private static List<CurvePoint> Aggregate(IEnumerable<IReadOnlyList<(int Epoch, double Value)>> folds) =>
        folds.SelectMany(f => f).GroupBy(p => p.Epoch).OrderBy(g => g.Key)
            .Select(g => new CurvePoint(g.Key, g.Average(p => p.Value), g.Min(p => p.Value), g.Max(p => p.Value), g.Count()))
            .ToList();

    /// <summary>A marker for each ended trial-fold that stopped short of a plain completion.</summary>
    private static List<CurveEnd> Ends(SweepRecord record, IEnumerable<(TrialKey Key, IReadOnlyList<(int Epoch, double Value)> Points)> series) =>
        series.Select(s => (s.Key, Last: s.Points[^1], Outcome: record.OutcomeOf(s.Key)))
            .Where(s => s.Outcome is { Status: not TrialStatus.Completed })
            .Select(s => new CurveEnd(s.Key, s.Last.Epoch, s.Last.Value, s.Outcome!.Status))
            .ToList();
}
