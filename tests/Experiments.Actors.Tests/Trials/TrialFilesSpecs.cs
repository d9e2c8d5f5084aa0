using System.Collections.Immutable;
using Experiments.Actors.Tests.Support;
using Experiments.Actors.Trials;
using Experiments.Core.Trials;

namespace Experiments.Actors.Tests.Trials;

/// <summary>params.json and metrics.csv of a trial-fold: the format people and tools read.</summary>
public sealed class TrialFilesSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private static EpochMetrics Epoch(int epoch, double valLoss, double seconds) => new(epoch,
        new Dictionary<string, double> { ["val-accuracy"] = 0.5 + epoch / 10.0, ["val-loss"] = valLoss, ["train-loss"] = 1.0 / 3 }
            .ToImmutableSortedDictionary(), seconds);

    [Fact]
    public void Should_write_metrics_csv_with_the_loss_columns_first_full_precision_and_unix_line_ends()
    {
        var files = new TrialFiles(_dir.Path, "val-loss");

        files.Append(Epoch(1, 0.25, 1.23456), first: true);
        files.Append(Epoch(2, 1e-7, 2), first: false);

        Assert.Equal("epoch,train-loss,val-loss,val-accuracy,seconds\n" +
                     "1,0.3333333333333333,0.25,0.6,1.235\n" +
                     "2,0.3333333333333333,1E-07,0.7,2\n", File.ReadAllText(files.MetricsPath));
    }

    [Fact]
    public void Should_read_back_what_it_wrote_and_stop_at_a_row_torn_by_a_kill()
    {
        var files = new TrialFiles(_dir.Path, "val-loss");
        files.Rewrite([Epoch(1, 0.25, 1), Epoch(2, 0.125, 1)]);
        File.AppendAllText(files.MetricsPath, "3,0.33");

        var rows = files.ReadMetrics();

        Assert.Equal([1, 2], rows.Select(r => r.Epoch));
        Assert.Equal([0.25, 0.125], rows.Select(r => r.Get("val-loss")!.Value));
        Assert.Equal(Epoch(2, 0.125, 1).Values, rows[1].Values);
    }

    [Fact]
    public void Should_delete_metrics_csv_when_the_history_is_rewritten_empty()
    {
        var files = new TrialFiles(_dir.Path, "val-loss");
        files.Append(Epoch(1, 0.25, 1), first: true);

        files.Rewrite([]);

        Assert.False(File.Exists(files.MetricsPath));
        Assert.Empty(files.ReadMetrics());
    }

    public void Dispose() => _dir.Dispose();
}
