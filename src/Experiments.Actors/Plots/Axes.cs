using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Experiments.Actors.Plots;

/// <summary>Tick labels people read: at most 4 significant digits, never padded (0.5, not 0.5000).</summary>
internal static class Axes
{
    public static string Tick(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="wholeX"/>: ticks only at whole numbers (epochs). <paramref name="logX"/>: the data are
    /// plotted as log10 of the value and the labels show the value itself, at whole decades when the data span one.
    /// </summary>
    public static void Readable(Plot plot, bool wholeX = false, bool logX = false, bool decades = false)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = Tick };
        plot.Axes.Bottom.TickGenerator = logX
            ? new NumericAutomatic { LabelFormatter = v => Tick(Math.Pow(10, v)), MinorTickGenerator = new LogMinorTickGenerator(), IntegerTicksOnly = decades }
            : new NumericAutomatic { LabelFormatter = Tick, IntegerTicksOnly = wholeX };
    }
}
