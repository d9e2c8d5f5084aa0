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
public abstract record ParameterDomain(string Name)
{
    /// <summary>
    /// The parameter exists only when every condition holds (<c>when { optimizer = sgd }</c>); empty for
    /// an unconditional parameter, and then left out of the spec's JSON, so the digest of a sweep without
    /// conditions is unchanged.
    /// </summary>
    [JsonIgnore]
    public ImmutableArray<Condition> When
    {
        get => _when ?? ImmutableArray<Condition>.Empty;
        init => _when = value.IsDefaultOrEmpty ? null : value;
    }

    [JsonInclude, JsonPropertyName("when"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private ImmutableArray<Condition>? _when;
}

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
/// <remarks>
/// The contract with a scheduler, for an adaptive method (<see cref="IsAdaptive"/>):
/// config ids run 0, 1, 2, … in the order of <see cref="Ask"/>; what Ask returns for config n is a pure
/// function of the seed, n, the results told so far and the set of configs asked but not yet told
/// ("in flight"). Tell each config's result once, in config-id order, so that the same spec and seed
/// give the same configs whatever the concurrency or the order in which trials finish.
/// </remarks>
public interface ISearchMethod
{
    /// <summary>The next configuration, or null when the method has no more to propose.</summary>
    TrialConfig? Ask();

    /// <summary>How a configuration ended: its score in the sweep's metric, or that it was pruned or failed.</summary>
    void Tell(ConfigResult result);

    /// <summary>How many configurations the method will propose in all, when known up front.</summary>
    int? PlannedCount { get; }

    /// <summary>
    /// Whether what it is told changes what it proposes. False (grid, random): results may be told in
    /// any order. True (TPE): the scheduler asks config n only once configs 0..n−max-in-flight are
    /// told, and tells nothing beyond that, so the configs are the same at any concurrency.
    /// </summary>
    bool IsAdaptive { get; }
}
