using Experiments.Core.Plots;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using ScottPlot;

namespace Experiments.Actors.Plots;

/// <summary>
/// The ranked metric by epoch for every config: the mean over its folds as a line, the folds' min–max
/// as a band, the best config drawn thick, and a marker where a trial-fold was pruned, stopped early or failed.
/// </summary>
public static class LearningCurvePlot
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static Plot Draw(LearningCurveSet set, string sweep, OptimizationMode mode)
    {
        var plot = new Plot();
        // Only what tells the configs apart: the parameters that vary.
        var varying = Readable.Varying(set.Curves.Select(c => c.Config.Parameters));
        foreach (var (curve, index) in set.Curves.Select((c, i) => (c, i)).Where(c => c.c.Points.Count > 0))
        {
            var best = curve.Config.Id == set.BestConfigId;
            var color = Palette.GetColor(index);
            var xs = curve.Points.Select(p => (double)p.Epoch).ToArray();
            if (curve.Points.Any(p => p.Max > p.Min))
            {
                var band = plot.Add.FillY(xs, curve.Points.Select(p => p.Min).ToArray(), curve.Points.Select(p => p.Max).ToArray());
                band.FillColor = color.WithAlpha(best ? 0.25 : 0.12);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(xs, curve.Points.Select(p => p.Mean).ToArray(), color);
            line.LineWidth = best ? 4 : 1.5f;
            line.MarkerSize = best ? 7 : 4;
            line.LegendText = Label(curve, best, varying);
            foreach (var end in curve.Ends)
            {
                var marker = plot.Add.Marker(end.Epoch, end.Value, Shape(end.Status), 12, color);
                marker.MarkerLineWidth = 2;
            }
        }
        // One legend entry per kind of end that appears, in black, so the markers explain themselves.
        foreach (var status in set.Curves.SelectMany(c => c.Ends).Select(e => e.Status).Distinct().Order())
        {
            var key = plot.Add.Marker(double.NaN, double.NaN, Shape(status), 12, Colors.Black);
            key.LegendText = status.ToKebab();
        }
        plot.Title($"{sweep}: {set.Metric} by epoch ({mode.ToString().ToLowerInvariant()} is best; mean over folds, band = min–max)");
        plot.XLabel("epoch");
        plot.YLabel(set.Metric);
        Axes.Readable(plot, wholeX: true);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static string Label(ConfigCurve curve, bool best, IReadOnlyList<string> varying)
    {
        var shown = varying.Where(curve.Config.Parameters.Values.ContainsKey).Select(n => $"{n}={Readable.Value(curve.Config.Parameters[n])}").ToList();
        var parameters = shown.Count == 0 ? "" : ": " + string.Join(", ", shown);
        return $"{(best ? "best " : "")}config {curve.Config.Id}{parameters} → {Readable.Number(curve.Score)}";
    }

    private static MarkerShape Shape(TrialStatus status) => status switch
    {
        TrialStatus.Pruned => MarkerShape.Eks,
        TrialStatus.EarlyStopped => MarkerShape.OpenSquare,
        TrialStatus.Failed or TrialStatus.Diverged => MarkerShape.FilledTriangleDown,
        _ => MarkerShape.OpenCircle,
    };
}
