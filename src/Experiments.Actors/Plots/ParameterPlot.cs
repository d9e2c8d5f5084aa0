using Experiments.Core.Plots;
using Experiments.Core.Trials;
using ScottPlot;

namespace Experiments.Actors.Plots;

/// <summary>Each ranked config's score against its value of one parameter; a log x-axis for a log-uniform domain.</summary>
public static class ParameterPlot
{
    public static Plot Draw(ParameterScore parameter, string sweep, string metric)
    {
        var plot = new Plot();
        var xs = parameter.Points.Select(p => X(parameter, p)).ToArray();
        var ys = parameter.Points.Select(p => p.Score).ToArray();
        var points = plot.Add.ScatterPoints(xs, ys);
        points.MarkerSize = 10;
        foreach (var (point, x) in parameter.Points.Zip(xs))
        {
            var label = plot.Add.Text($"config {point.ConfigId}", x, point.Score);
            label.LabelFontSize = 11;
            label.OffsetX = 6;
        }
        plot.Title($"{sweep}: {metric} (mean over folds) against {parameter.Name}");
        plot.XLabel(parameter.LogScale ? $"{parameter.Name} (log scale)" : parameter.Name);
        plot.YLabel(metric);
        Axes.Readable(plot, logX: parameter.LogScale, decades: xs.Length > 0 && xs.Max() - xs.Min() >= 1);
        if (parameter.Categories is { } categories)
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        // Room around the points, so the outermost and their labels are not cut by the frame.
        plot.Axes.Margins(0.15, 0.15);
        return plot;
    }

    private static double X(ParameterScore parameter, ParameterPoint point) =>
        parameter.Categories is { } categories ? categories.ToList().IndexOf(point.Label)
        : parameter.LogScale ? Math.Log10(point.Number!.Value)
        : point.Number!.Value;
}
