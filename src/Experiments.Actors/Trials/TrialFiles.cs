using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Trials;

/// <summary>
/// A trial-fold's own files in its directory: params.json (what it trains) and metrics.csv (one row
/// per epoch: epoch, train loss, val loss, the sweep's metric, every other metric, seconds; values
/// in full precision). CSV through CsvHelper; the format is the one people and tests read:
/// comma-separated, "\n" line ends, numbers in the invariant culture.
/// </summary>
public sealed class TrialFiles(string directory, string metric)
{
    private static readonly CsvWriterOptions WriterOptions = new() { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture };
    private static readonly CsvReaderOptions ReaderOptions = new() { Separator = ',', HasHeader = true, FormatProvider = CultureInfo.InvariantCulture };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string MetricsPath => Path.Combine(directory, "metrics.csv");

    public void WriteParams(string sweep, TrialKey key, int seed, ParameterSet parameters)
    {
        Directory.CreateDirectory(directory);
        var json = JsonSerializer.Serialize(new { sweep, config = key.ConfigId, fold = key.Fold, seed, parameters = parameters.ToPlainValues() }, Indented);
        File.WriteAllText(Path.Combine(directory, "params.json"), json);
    }

    /// <summary>Appends an epoch's row; the first epoch of a history (or a missing file) starts the file with its header.</summary>
    public void Append(EpochMetrics metrics, bool first)
    {
        var columns = ColumnsOf(metrics);
        var fresh = first || !File.Exists(MetricsPath);
        using var csv = CsvWriter.Create(new FileStream(MetricsPath, fresh ? FileMode.Create : FileMode.Append, FileAccess.Write), WriterOptions);
        if (fresh) csv.WriteRecord(Header(columns));
        csv.WriteRecord(Row(metrics, columns));
    }

    /// <summary>Writes the whole history again (after a resume changed it); no history, no file.</summary>
    public void Rewrite(IReadOnlyList<EpochMetrics> history)
    {
        if (history.Count == 0)
        {
            File.Delete(MetricsPath);
            return;
        }
        var columns = ColumnsOf(history[0]);
        using var csv = CsvWriter.Create(new FileStream(MetricsPath, FileMode.Create, FileAccess.Write), WriterOptions);
        csv.WriteRecord(Header(columns));
        foreach (var metrics in history) csv.WriteRecord(Row(metrics, columns));
    }

    /// <summary>The rows on disk, in order; reading stops at a row torn by a kill (only the last can be).</summary>
    public IReadOnlyList<EpochMetrics> ReadMetrics()
    {
        var rows = new List<EpochMetrics>();
        if (!File.Exists(MetricsPath) || new FileInfo(MetricsPath).Length == 0) return rows;
        using var csv = CsvReader.FromFile(MetricsPath, ReaderOptions);
        var header = csv.Headers.ToList();
        while (csv.Read())
        {
            if (csv.FieldCount != header.Count || !csv.TryParse<int>(0, out var epoch) || !csv.TryParse<double>(header.Count - 1, out var seconds))
                break;
            var values = ImmutableSortedDictionary.CreateBuilder<string, double>();
            for (var i = 1; i < header.Count - 1; i++)
                if (csv.TryParse<double>(i, out var v)) values[header[i]] = v;
            rows.Add(new EpochMetrics(epoch, values.ToImmutable(), seconds));
        }
        return rows;
    }

    /// <summary>metrics.csv columns between epoch and seconds: train loss, val loss, the metric, then every other metric.</summary>
    private IReadOnlyList<string> ColumnsOf(EpochMetrics sample)
    {
        var lead = new List<string>();
        foreach (var name in new[] { "train-loss", "g-loss", "val-loss", "d-loss", metric })
            if (sample.Values.ContainsKey(name) && !lead.Contains(name)) lead.Add(name);
        return lead.Concat(sample.Values.Keys.Where(k => !lead.Contains(k))).ToList();
    }

    private static string[] Header(IReadOnlyList<string> columns) => ["epoch", .. columns, "seconds"];

    private static string[] Row(EpochMetrics metrics, IReadOnlyList<string> columns) =>
    [
        metrics.Epoch.ToString(CultureInfo.InvariantCulture),
        .. columns.Select(c => metrics.Get(c)?.ToString("R", CultureInfo.InvariantCulture) ?? ""),
        metrics.Seconds.ToString("0.###", CultureInfo.InvariantCulture),
    ];
}
