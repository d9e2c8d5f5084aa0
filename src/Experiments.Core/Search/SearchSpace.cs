using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>The values one hyperparameter may take in a sweep.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(FixedDomain), "fixed")]
[JsonDerivedType(typeof(ChoiceDomain), "choice")]
[JsonDerivedType(typeof(UniformDomain), "uniform")]
[JsonDerivedType(typeof(LogUniformDomain), "log-uniform")]
[JsonDerivedType(typeof(IntRangeDomain), "int-range")]
public abstract record ParameterDomain(string Name);

public sealed record FixedDomain(string Name, ParamValue Value) : ParameterDomain(Name);

public sealed record ChoiceDomain(string Name, ImmutableArray<ParamValue> Choices) : ParameterDomain(Name);

/// <summary>Continuous uniform in [Min, Max]; <see cref="GridPoints"/> discretises it for a grid search.</summary>
public sealed record UniformDomain(string Name, double Min, double Max, int? GridPoints) : ParameterDomain(Name);

/// <summary>Log-uniform in [Min, Max] (both > 0); <see cref="GridPoints"/> discretises it for a grid search.</summary>
public sealed record LogUniformDomain(string Name, double Min, double Max, int? GridPoints) : ParameterDomain(Name);

/// <summary>Integers Min, Min+Step, … up to Max inclusive.</summary>
public sealed record IntRangeDomain(string Name, long Min, long Max, long Step) : ParameterDomain(Name);

public sealed record SearchSpace(ImmutableArray<ParameterDomain> Parameters)
{
    public static readonly SearchSpace Empty = new(ImmutableArray<ParameterDomain>.Empty);
}

/// <summary>One configuration to train: an id stable within its sweep and the hyperparameters the search chose.</summary>
public sealed record TrialConfig(int Id, ParameterSet Parameters);

/// <summary>
/// Ask/tell, as Optuna and Ray Tune have it: the sweep asks for the next configuration when a slot
/// frees and tells the result of each, in config-id order. Grid and random ignore what they are told;
/// an adaptive (model-based) method uses it. Implementations are deterministic for a given seed and
/// sequence of asks and tells, so a recovering sweep replays them (SweepScheduler).
/// </summary>
public interface ISearchMethod
{
    /// <summary>The next configuration, or null when the method has no more to propose.</summary>
    TrialConfig? Ask();

    /// <summary>How a configuration ended, told strictly in config-id order.</summary>
    void Tell(ConfigResult result);

    /// <summary>
    /// True when what it proposes depends on what it was told: the scheduler then asks config n only
    /// once configs 0..n−max-in-flight are told, and tells nothing beyond that, so the configs are
    /// the same at any concurrency.
    /// </summary>
    bool IsAdaptive { get; }

    /// <summary>How many configurations the method will propose in all, when known up front.</summary>
    int? PlannedCount { get; }
}

public enum ConfigOutcome { Completed, Pruned, Failed }

/// <summary>
/// How one configuration ended over its folds: <see cref="Score"/> is the mean of its folds' best
/// metric (null when no fold had a result), <see cref="Step"/> the epochs its last fold ran
/// (for a pruned config: the epoch it was pruned at).
/// </summary>
public sealed record ConfigResult(int ConfigId, ConfigOutcome Outcome, double? Score, int Step);
