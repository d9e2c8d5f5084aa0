using Experiments.Core.Spec;

namespace Experiments.Core.Trials;

/// <summary>
/// Patience-based early stopping, as Keras and Lightning have it: stop once the metric has not
/// improved by more than min-delta over the best so far for <c>patience</c> epochs in a row.
/// </summary>
public static class EarlyStopping
{
    public static bool ShouldStop(IReadOnlyList<double> history, EarlyStoppingSpec spec)
    {
        if (!spec.Enabled || history.Count <= spec.Patience) return false;
        var best = history[0];
        var sinceImprovement = 0;
        foreach (var value in history.Skip(1))
        {
            if (Improves(value, best, spec.Mode, spec.MinDelta))
            {
                best = value;
                sinceImprovement = 0;
            }
            else
            {
                sinceImprovement++;
            }
        }
        return sinceImprovement >= spec.Patience;
    }

    public static bool Improves(double candidate, double best, OptimizationMode mode, double minDelta) =>
        mode == OptimizationMode.Min ? candidate < best - minDelta : candidate > best + minDelta;

    /// <summary>The best value of a history and its epoch (1-based), in the given direction.</summary>
    public static (double Value, int Epoch)? Best(IReadOnlyList<double> history, OptimizationMode mode)
    {
        if (history.Count == 0) return null;
        var bestIndex = 0;
        for (var i = 1; i < history.Count; i++)
            if (mode == OptimizationMode.Min ? history[i] < history[bestIndex] : history[i] > history[bestIndex]) bestIndex = i;
        return (history[bestIndex], bestIndex + 1);
    }
}
