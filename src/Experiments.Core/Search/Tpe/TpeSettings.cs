namespace Experiments.Core.Search.Tpe;

/// <summary>
/// The knobs of <see cref="TpeSearch"/>, with Optuna 4's TPESampler defaults except
/// <see cref="ConstantLiar"/>, which is on here because a sweep runs configs concurrently.
/// HOCON: <c>search.tpe { startup-trials, candidates, gamma, gamma-cap, multivariate, constant-liar }</c>.
/// </summary>
/// <param name="StartupTrials">Configs drawn at random (exactly those of a random search with the same seed) until this many have completed or been pruned (n_startup_trials).</param>
/// <param name="Candidates">Samples drawn from the good density l(x) per ask, of which the one with the largest l(x)/g(x) wins (n_ei_candidates).</param>
/// <param name="Gamma">With <paramref name="GammaCap"/>, the size of the good set: min(⌈Gamma · n⌉, GammaCap) of n finished configs (Optuna's default_gamma).</param>
/// <param name="GammaCap">Upper bound of the good set's size.</param>
/// <param name="Multivariate">One joint Parzen estimator over all parameters instead of one per parameter (Optuna's multivariate TPE).</param>
/// <param name="ConstantLiar">Configs asked but not yet told count as bad observations, so concurrent asks spread out instead of piling onto one spot.</param>
public sealed record TpeSettings(
    int StartupTrials = 10,
    int Candidates = 24,
    double Gamma = 0.1,
    int GammaCap = 25,
    bool Multivariate = false,
    bool ConstantLiar = true)
{
    public static readonly TpeSettings Default = new();

    /// <summary>Weight of the prior kernel (the whole range) against each observation's weight (prior_weight, deprecated in Optuna 4.9; not a HOCON key).</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Floor every bandwidth at range / min(100, kernels + 1) (consider_magic_clip; not a HOCON key).</summary>
    public bool ConsiderMagicClip { get; init; } = true;

    /// <summary>Let the outermost observations' bandwidths reach to the domain's ends (consider_endpoints; not a HOCON key).</summary>
    public bool ConsiderEndpoints { get; init; }

    /// <summary>Size of the good set among <paramref name="finished"/> completed or pruned configs: min(⌈γ n⌉, cap).</summary>
    public int GoodCount(int finished) => Math.Min((int)Math.Ceiling(Gamma * finished), GammaCap);

    /// <summary>Why these settings cannot run, or null. Bounds as the spec reader checks them.</summary>
    public string? Problem() =>
        StartupTrials < 0 ? "startup-trials must be >= 0"
        : Candidates < 1 ? "candidates must be >= 1"
        : !(Gamma > 0 && Gamma <= 1) ? "gamma must be in (0, 1]"
        : GammaCap < 1 ? "gamma-cap must be >= 1"
        : !(PriorWeight > 0) || double.IsInfinity(PriorWeight) ? "prior weight must be positive and finite"
        : null;
}
