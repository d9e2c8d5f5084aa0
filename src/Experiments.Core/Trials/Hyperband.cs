using Experiments.Core.Spec;

namespace Experiments.Core.Trials;

/// <summary>
/// Hyperband's brackets (Li et al.; Ray Tune's HyperBandScheduler, Optuna's HyperbandPruner):
/// brackets s = 0..s_max with s_max = floor(log_rf(max-epochs / grace)). Bracket s is successive
/// halving with its first rung at grace·rf^s, so bracket 0 prunes hardest and bracket s_max
/// barely at all: hedging between "judge early" and "let every config run". A config's bracket
/// is its id modulo the number of brackets, so it is the same on every fold, run and concurrency.
/// </summary>
public static class Hyperband
{
    /// <summary>s_max + 1, counted in integers (no floating-point log at exact powers).</summary>
    public static int Brackets(PruningSpec spec, int maxEpochs)
    {
        var factor = Math.Max(2, spec.ReductionFactor);
        var brackets = 1;
        for (long rung = Math.Max(1, spec.GraceEpochs); rung * factor <= maxEpochs; rung *= factor) brackets++;
        return brackets;
    }

    public static int BracketOf(int configId, int brackets) => configId % Math.Max(1, brackets);
}
