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
/// Ask/tell, as Optuna and Ray Tune have it: the sweep asks for the next configuration and tells the
/// final score of each. Grid and random ignore what they are told; a model-based method (TPE) uses it.
/// Implementations are deterministic for a given seed and sequence of tells, so a recovering sweep
/// can replay them.
/// </summary>
public interface ISearchMethod
{
    /// <summary>The next configuration, or null when the method has no more to propose.</summary>
    TrialConfig? Ask();

    /// <summary>The final score of a configuration, in the sweep's optimisation direction.</summary>
    void Tell(int configId, double score);

    /// <summary>How many configurations the method will propose in all, when known up front.</summary>
    int? PlannedCount { get; }
}
