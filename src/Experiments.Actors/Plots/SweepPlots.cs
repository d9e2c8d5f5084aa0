using Experiments.Core.Plots;
using Experiments.Core.Scheduling;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using ScottPlot;
using SkiaSharp;

namespace Experiments.Actors.Plots;

/// <summary>
/// Draws a sweep's plots as PNG with ScottPlot: plots/learning-curves.png, plots/param-NAME.png and,
/// for a GAN, trials/TRIAL/fid.png. Each file is replaced atomically, so a reader never sees half of one.
/// </summary>
public static class SweepPlots
{
    public const int Width = 1000;
    public const int Height = 600;
    private const string Fid = "fid";

    /// <summary>
    /// Every plot of the sweep as it stands; returns the files written. FID plots are drawn for
    /// <paramref name="fidOf"/> only when given (the trial-fold that just ended), else for every trial-fold.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(string sweepDirectory, SweepSpec spec, SweepRecord record, IEnumerable<LeaderboardRow> board, TrialKey? fidOf = null)
    {
        var rows = board.ToList();
        var folder = Path.Combine(sweepDirectory, "plots");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var curves = LearningCurves.Build(record, rows, spec.EarlyStopping.Metric);
        written.Add(Save(LearningCurvePlot.Draw(curves, spec.Name, spec.EarlyStopping.Mode), Path.Combine(folder, "learning-curves.png")));
        foreach (var parameter in ParameterScores.Build(spec.Search.Space, rows).Where(p => p.Points.Count > 0))
            written.Add(Save(ParameterPlot.Draw(parameter, spec.Name, spec.EarlyStopping.Metric), Path.Combine(folder, $"param-{parameter.Name}.png")));
        if (spec.Model == ModelKind.Gan)
            foreach (var key in fidOf is { } only ? [only] : record.TrialsWithHistory.ToList())
                if (WriteFid(Path.Combine(sweepDirectory, "trials", key.Name), key, record) is { } fid) written.Add(fid);
        return written;
    }

    /// <summary>The FID curve of one GAN trial-fold, with its last sample grid beside it when there is one.</summary>
    public static string? WriteFid(string trialDirectory, TrialKey key, SweepRecord record)
    {
        var series = LearningCurves.Series(record, key, Fid);
        if (series.Count == 0) return null;
        var plot = new Plot();
        var line = plot.Add.Scatter(series.Select(p => (double)p.Epoch).ToArray(), series.Select(p => p.Value).ToArray());
        line.LineWidth = 2;
        line.MarkerSize = 6;
        plot.Title($"{key.Name}: FID by epoch (lower is better; last {Readable.Number(series[^1].Value)})");
        plot.XLabel("epoch");
        plot.YLabel("FID");
        Axes.Readable(plot, wholeX: true);
        Directory.CreateDirectory(trialDirectory);
        var path = Path.Combine(trialDirectory, "fid.png");
        var chart = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, LastSamples(trialDirectory) is { } samples ? Beside(chart, samples) : chart);
        return path;
    }

    private static string Save(Plot plot, string path)
    {
        AtomicFile.Write(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
        return path;
    }

    private static string? LastSamples(string trialDirectory) =>
        Directory.Exists(trialDirectory)
            ? Directory.GetFiles(trialDirectory, "samples-epoch-*.png").Order(StringComparer.Ordinal).LastOrDefault()
            : null;

    /// <summary>The chart on the left, the sample grid scaled to the chart's height on the right.</summary>
    private static byte[] Beside(byte[] chartPng, string samplesPath)
    {
        using var chart = SKBitmap.Decode(chartPng);
        using var samples = SKBitmap.Decode(samplesPath);
        if (samples is null) return chartPng; // a grid being written right now: the next rewrite shows it
        var gridWidth = (int)Math.Round(samples.Width * (double)chart.Height / samples.Height);
        using var surface = SKSurface.Create(new SKImageInfo(chart.Width + gridWidth, chart.Height));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawBitmap(chart, 0, 0);
        using var image = SKImage.FromBitmap(samples);
        surface.Canvas.DrawImage(image, SKRect.Create(chart.Width, 0, gridWidth, chart.Height), new SKSamplingOptions(SKFilterMode.Nearest));
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
