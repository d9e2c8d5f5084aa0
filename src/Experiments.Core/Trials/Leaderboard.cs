using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Experiments.Core.Search;
using Experiments.Core.Spec;

namespace Experiments.Core.Trials;

/// <summary>One config's cross-validated result: the mean and sample standard deviation of its folds' best metric.</summary>
public sealed record LeaderboardRow(
    int Rank, TrialConfig Config, double? Mean, double? StdDev, int FoldsWithResult, int Folds, double MeanEpochs, string State);

/// <summary>Aggregates trial-fold outcomes per config and ranks configs by the sweep's metric.</summary>
public static class Leaderboard
{
    public static ImmutableArray<LeaderboardRow> Build(IEnumerable<TrialConfig> configs, IEnumerable<TrialOutcome> outcomes, int folds, OptimizationMode mode)
    {
        var byConfig = outcomes.Where(o => !o.Key.IsFinal).GroupBy(o => o.Key.ConfigId).ToDictionary(g => g.Key, g => g.ToList());
        var rows = configs.Select(config =>
        {
            var mine = byConfig.GetValueOrDefault(config.Id) ?? [];
            var values = mine.Where(o => o.Status.HasResult() && o.BestMetric is not null).Select(o => o.BestMetric!.Value).ToList();
            double? mean = values.Count > 0 ? values.Average() : null;
            double? sd = values.Count switch
            {
                0 => null,
                1 => 0,
                _ => Math.Sqrt(values.Sum(v => (v - mean!.Value) * (v - mean.Value)) / (values.Count - 1)),
            };
            var epochs = mine.Count > 0 ? mine.Average(o => o.EpochsRun) : 0;
            return (config, mean, sd, count: values.Count, epochs, state: Summarise(mine, folds));
        }).ToList();

        var ranked = rows
            .OrderBy(r => r.mean is null ? 1 : 0)
            .ThenBy(r => r.mean is null ? 0 : mode == OptimizationMode.Min ? r.mean.Value : -r.mean.Value)
            .ThenBy(r => r.config.Id);
        return ranked.Select((r, i) => new LeaderboardRow(i + 1, r.config, r.mean, r.sd, r.count, folds, r.epochs, r.state)).ToImmutableArray();
    }

    /// <summary>
    /// The states of a config's folds, e.g. "2 completed, 1 pending". A config pruned on one fold
    /// starts no further folds: those are "skipped", e.g. "1 completed, 1 pruned, 3 skipped".
    /// </summary>
    private static string Summarise(List<TrialOutcome> outcomes, int folds)
    {
        var parts = outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToKebab()}").ToList();
        var missing = folds - outcomes.Count;
        if (missing > 0) parts.Add($"{missing} {(outcomes.Any(o => o.Status == TrialStatus.Pruned) ? "skipped" : "pending")}");
        return string.Join(", ", parts);
    }

    public static string ToCsv(IEnumerable<LeaderboardRow> rows, string metric)
    {
        var list = rows.ToList();
        var csv = new StringBuilder();
        var parameterNames = list.SelectMany(r => r.Config.Parameters.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        csv.AppendLine(string.Join(",", new[] { "rank", "config" }.Concat(parameterNames).Concat([$"{metric}-mean", $"{metric}-sd", "folds", "epochs", "state"])));
        foreach (var row in list)
        {
            var cells = new List<string> { row.Rank.ToString(CultureInfo.InvariantCulture), row.Config.Id.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(parameterNames.Select(n => row.Config.Parameters.Values.TryGetValue(n, out var v) ? v.AsString() : ""));
            cells.Add(row.Mean?.ToString("R", CultureInfo.InvariantCulture) ?? "");
            cells.Add(row.StdDev?.ToString("R", CultureInfo.InvariantCulture) ?? "");
            cells.Add($"{row.FoldsWithResult}/{row.Folds}");
            cells.Add(row.MeanEpochs.ToString("0.#", CultureInfo.InvariantCulture));
            cells.Add(row.State.Contains(',') ? $"\"{row.State}\"" : row.State);
            csv.AppendLine(string.Join(",", cells));
        }
        return csv.ToString();
    }

    /// <summary>For people: one column per parameter that varies across configs, numbers to 4 significant digits.</summary>
    public static string ToMarkdown(IEnumerable<LeaderboardRow> rows, string metric)
    {
        var list = rows.ToList();
        var varying = Readable.Varying(list.Select(r => r.Config.Parameters));
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", new[] { "rank", "config" }.Concat(varying).Concat([$"{metric} (mean ± sd)", "folds", "epochs", "state"])) + " |");
        md.AppendLine("|---:|---:|" + string.Concat(varying.Select(_ => "---:|")) + "---|---:|---:|---|");
        foreach (var row in list)
        {
            var parameters = varying.Select(n => row.Config.Parameters.Values.TryGetValue(n, out var v) ? Readable.Value(v) : "");
            md.AppendLine("| " + string.Join(" | ", new[] { row.Rank.ToString(CultureInfo.InvariantCulture), row.Config.Id.ToString(CultureInfo.InvariantCulture) }
                .Concat(parameters)
                .Concat([$"{Readable.Number(row.Mean)} ± {Readable.Number(row.StdDev)}", $"{row.FoldsWithResult}/{row.Folds}",
                    Readable.Number(Math.Round(row.MeanEpochs, 1)), row.State])) + " |");
        }
        return md.ToString();
    }
}
