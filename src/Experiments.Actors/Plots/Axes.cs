using Experiments.Core.Trials;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Experiments.Actors.Plots;

/// <summary>Tick labels people read: 4 significant digits, as everywhere else (<see cref="Readable"/>).</summary>
internal static class Axes
{
    public static void Readable(Plot plot, bool logX = false)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => Core.Trials.Readable.Number(v) };
        plot.Axes.Bottom.TickGenerator = logX
            // The data are plotted as log10 of the value; the labels show the value itself.
            ? new NumericAutomatic { LabelFormatter = v => Core.Trials.Readable.Number(Math.Pow(10, v)), MinorTickGenerator = new LogMinorTickGenerator() }
            : new NumericAutomatic { LabelFormatter = v => Core.Trials.Readable.Number(v) };
    }
}
