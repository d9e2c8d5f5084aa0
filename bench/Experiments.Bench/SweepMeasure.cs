using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Experiments.Actors.Trials;

namespace Experiments.Bench;

/// <summary>
/// What one finished sweep reached and what it cost, read from its results folder: the leaderboard's
/// best config and its cross-validated mean (leaderboard.csv), the final test score (summary.json),
/// and the epochs every trial-fold ran (one row per epoch in trials/*/metrics.csv).
/// </summary>
/// <param name="BestMean">The leaderboard's top mean; over the folds it ran (<paramref name="BestFolds"/>), fewer than all for a pruned config.</param>
/// <param name="BestCompleteMean">The best mean among configs that ran every fold without being pruned.</param>
/// <param name="Epochs">Epochs of all trial-folds, summed; the final retrain is not counted.</param>
/// <param name="FinalSeconds">The final retrain's own epoch seconds, summed.</param>
public sealed record SweepMeasure(
    int BestConfig, double BestMean, int BestFolds, double? BestCompleteMean, double? TestScore,
    int Epochs, int TrialFolds, int PrunedConfigs, double FinalSeconds)
{
    private static readonly CsvReaderOptions ReaderOptions = new() { Separator = ',', HasHeader = true, FormatProvider = CultureInfo.InvariantCulture };

    /// <summary>Reads the sweep folder <paramref name="directory"/> (results/NAME) of a sweep ranked by <paramref name="metric"/>.</summary>
    public static SweepMeasure Read(string directory, string metric)
    {
        var board = ReadLeaderboard(Path.Combine(directory, "leaderboard.csv"), metric);
        if (board.Count == 0 || board[0].Mean is null)
            throw new InvalidDataException($"{Path.Combine(directory, "leaderboard.csv")}: no ranked config");
        var top = board[0];
        var complete = board.Where(r => r.Mean is not null && r.FoldsWithResult == r.Folds && !r.State.Contains("pruned", StringComparison.Ordinal)).ToList();

        var trials = Path.Combine(directory, "trials");
        var histories = Directory.Exists(trials)
            ? Directory.GetDirectories(trials).Select(d => (Name: Path.GetFileName(d), Rows: new TrialFiles(d, metric).ReadMetrics())).ToList()
            : [];
        var folds = histories.Where(h => !h.Name.EndsWith("-final", StringComparison.Ordinal) && h.Rows.Count > 0).ToList();
        var final = histories.Where(h => h.Name.EndsWith("-final", StringComparison.Ordinal)).SelectMany(h => h.Rows).Sum(r => r.Seconds);

        return new SweepMeasure(
            top.Config, top.Mean!.Value, top.FoldsWithResult,
            complete.Count > 0 ? complete[0].Mean : null,
            ReadTestScore(Path.Combine(directory, "summary.json")),
            folds.Sum(h => h.Rows.Count), folds.Count,
            board.Count(r => r.State.Contains("pruned", StringComparison.Ordinal)), final);
    }

    /// <summary>One leaderboard.csv row, in rank order; <see cref="Mean"/> is null for a config without a result.</summary>
    public sealed record Row(int Config, double? Mean, int FoldsWithResult, int Folds, string State);

    public static List<Row> ReadLeaderboard(string path, string metric)
    {
        using var csv = CsvReader.FromFile(path, ReaderOptions);
        var rows = new List<Row>();
        while (csv.Read())
        {
            var folds = csv.GetString("folds").Split('/');
            var mean = csv.GetString($"{metric}-mean");
            rows.Add(new Row(
                int.Parse(csv.GetString("config"), CultureInfo.InvariantCulture),
                mean.Length == 0 ? null : double.Parse(mean, CultureInfo.InvariantCulture),
                int.Parse(folds[0], CultureInfo.InvariantCulture), int.Parse(folds[1], CultureInfo.InvariantCulture),
                csv.GetString("state")));
        }
        return rows;
    }

    /// <summary>summary.json's test-score: the sweep's metric of the final retrain on the held-out test part.</summary>
    public static double? ReadTestScore(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.TryGetProperty("test-score", out var score) && score.ValueKind == JsonValueKind.Number ? score.GetDouble() : null;
    }
}
