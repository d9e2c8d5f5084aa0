using Experiments.Core.Spec;

namespace Experiments.Core.Trials;

/// <summary>
/// Pruning rules: a pure function of one trial's history and its peers' histories → keep or prune.
/// Median (Optuna's MedianPruner): prune when the trial's best so far is worse than the median of
/// its peers' values at the same epoch. ASHA (Ray Tune's AsyncHyperBand): at each rung epoch
/// grace·rf^k, keep a trial only if it is in the top 1/rf of the peers that reached that rung.
/// Hyperband: ASHA within the trial's bracket (<see cref="Hyperband"/>), whose rungs start at
/// grace·rf^bracket; the caller passes only peers of the same bracket. All wait for the grace
/// epochs and for min-trials peers.
/// </summary>
public static class Pruning
{
    /// <param name="bracket">Hyperband only: the trial's bracket (its peers are of the same bracket).</param>
    public static bool ShouldPrune(IReadOnlyList<double> history, IEnumerable<IReadOnlyList<double>> peers, PruningSpec spec, OptimizationMode mode, int bracket = 0)
    {
        var epoch = history.Count;
        if (spec.Rule == PruningRule.None || epoch < Math.Max(1, spec.GraceEpochs)) return false;
        var peerValues = peers.Where(p => p.Count >= epoch).Select(p => spec.Rule == PruningRule.Median ? p[epoch - 1] : BestUpTo(p, epoch, mode)).ToList();
        if (peerValues.Count < spec.MinTrials) return false;

        return spec.Rule switch
        {
            PruningRule.Median => IsWorse(BestUpTo(history, epoch, mode), Median(peerValues), mode),
            PruningRule.Asha => IsRung(epoch, spec) && !InTopFraction(BestUpTo(history, epoch, mode), peerValues, spec.ReductionFactor, mode),
            PruningRule.Hyperband => IsRung(epoch, spec, bracket) && !InTopFraction(BestUpTo(history, epoch, mode), peerValues, spec.ReductionFactor, mode),
            _ => false,
        };
    }

    /// <summary>Rung epochs of ASHA: grace, grace·rf, grace·rf², …; of Hyperband's bracket s: grace·rf^s, grace·rf^(s+1), …</summary>
    public static bool IsRung(int epoch, PruningSpec spec, int bracket = 0)
    {
        long rung = Math.Max(1, spec.GraceEpochs);
        for (var s = 0; s < bracket && rung <= epoch; s++) rung *= Math.Max(2, spec.ReductionFactor);
        while (rung < epoch) rung *= Math.Max(2, spec.ReductionFactor);
        return rung == epoch;
    }

    private static bool InTopFraction(double value, List<double> peers, int reductionFactor, OptimizationMode mode)
    {
        var all = peers.Append(value).OrderBy(v => mode == OptimizationMode.Min ? v : -v).ToList();
        var keep = Math.Max(1, all.Count / Math.Max(2, reductionFactor));
        var threshold = all[keep - 1];
        return mode == OptimizationMode.Min ? value <= threshold : value >= threshold;
    }

    private static double BestUpTo(IReadOnlyList<double> history, int epoch, OptimizationMode mode) =>
        mode == OptimizationMode.Min ? history.Take(epoch).Min() : history.Take(epoch).Max();

    private static bool IsWorse(double value, double reference, OptimizationMode mode) =>
        mode == OptimizationMode.Min ? value > reference : value < reference;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
