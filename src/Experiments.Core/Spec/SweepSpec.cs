using System.Collections.Immutable;
using Experiments.Core.Search;

namespace Experiments.Core.Spec;

/// <summary>One sweep as the user declared it, after validation. Immutable.</summary>
public sealed record SweepSpec(
    string Name,
    ModelKind Model,
    DatasetSpec Dataset,
    SearchSpec Search,
    CrossValidationSpec CrossValidation,
    TrainingSpec Training,
    EarlyStoppingSpec EarlyStopping,
    PruningSpec Pruning,
    ResourcesSpec Resources,
    int Retries,
    CheckpointSpec Checkpoint);

public enum ModelKind { Cnn, Gan }

/// <summary>
/// Where the digits come from: the embedded default (<see cref="DefaultName"/>) or IDX files.
/// <see cref="Limit"/> keeps the first N samples (stratification still applies), for quick runs.
/// <see cref="MemoryMapped"/>: batches are read from the raw IDX file through a memory map instead
/// of preloading the images, for data larger than RAM.
/// </summary>
public sealed record DatasetSpec(string Name, string? Images, string? Labels, int? Limit)
{
    public const string DefaultName = "mnist-default";
    public bool IsDefault => Name == DefaultName;
    public bool MemoryMapped { get; init; }

    /// <summary>
    /// The IDX paths as the spec wrote them (relative to its folder, usually): what a sweep's
    /// identity depends on, so that moving the folder does not make it another sweep.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ImagesAsWritten { get; init; }

    /// <inheritdoc cref="ImagesAsWritten"/>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? LabelsAsWritten { get; init; }
}

public enum SearchMethodKind { Grid, Random, Tpe }

public sealed record SearchSpec(SearchMethodKind Method, int Samples, int Seed, SearchSpace Space)
{
    /// <summary>
    /// Settings of <c>method = tpe</c> (<c>search.tpe { ... }</c>); null for grid and random, and then left
    /// out of the spec's JSON, so that the digest (the journal identity) of their sweeps is unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Experiments.Core.Search.Tpe.TpeSettings? Tpe { get; init; }

    public const int DefaultMaxInFlight = 4;

    /// <summary>An adaptive method's configs asked ahead of the results (see SweepScheduler).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int MaxInFlight
    {
        get => _maxInFlight ?? DefaultMaxInFlight;
        init => _maxInFlight = value == DefaultMaxInFlight ? null : value;
    }

    // Left out of the spec's JSON at its default, so the digest of sweeps journalled before the key existed is unchanged.
    [System.Text.Json.Serialization.JsonInclude, System.Text.Json.Serialization.JsonPropertyName("max-in-flight")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    private int? _maxInFlight;
}

/// <summary>k folds over the training part; <see cref="TestFraction"/> of the data is held out for the final test score.</summary>
public sealed record CrossValidationSpec(int Folds, bool Stratified, int Seed, double TestFraction);

/// <summary>
/// Training budget and the default value of every hyperparameter; the search space overrides them.
/// <see cref="StepsPerEpoch"/> caps an epoch (null = one pass over the fold's training part).
/// </summary>
public sealed record TrainingSpec(int MaxEpochs, int? StepsPerEpoch, ParameterSet Defaults);

public enum OptimizationMode { Min, Max }

public sealed record EarlyStoppingSpec(bool Enabled, string Metric, OptimizationMode Mode, int Patience, double MinDelta);

public enum PruningRule { None, Median, Asha, Hyperband }

public sealed record PruningSpec(PruningRule Rule, int GraceEpochs, int ReductionFactor, int MinTrials);

public sealed record ResourcesSpec(int MaxConcurrentTrials, int ThreadsPerTrial)
{
    /// <summary>
    /// Torch threads of the final retrain (it runs alone, after every fold); null = <see cref="ThreadsPerTrial"/>.
    /// Left out of the spec's JSON when null, so the digest of sweeps journalled before the key existed is unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? FinalRetrainThreads { get; init; }

    /// <summary>The torch threads of a trial-fold (<paramref name="final"/>: the final retrain).</summary>
    public int ThreadsOf(bool final) => final ? FinalRetrainThreads ?? ThreadsPerTrial : ThreadsPerTrial;
}

/// <summary>Which checkpoints to keep: the last is always kept (it is what a retry resumes from).</summary>
public sealed record CheckpointSpec(bool KeepBest, int EveryEpochs);

/// <summary>A hyperparameter value: a number or a word (an optimizer name).</summary>
public readonly record struct ParamValue
{
    private ParamValue(double? number, string? text) { Number = number; Text = text; }
    public double? Number { get; }
    public string? Text { get; }
    public static ParamValue Of(double number) => new(number, null);
    public static ParamValue Of(string text) => new(null, text);
    public bool IsNumber => Number.HasValue;
    public double AsDouble() => Number ?? throw new InvalidOperationException($"'{Text}' is not a number");
    public int AsInt() => (int)Math.Round(AsDouble());
    public string AsString() => Text ?? AsDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    public override string ToString() => AsString();
}

/// <summary>A full set of named hyperparameters (kebab-case names, as in HOCON). Ordered, so equal sets print equally.</summary>
public sealed record ParameterSet(ImmutableSortedDictionary<string, ParamValue> Values)
{
    public static readonly ParameterSet Empty = new(ImmutableSortedDictionary<string, ParamValue>.Empty.WithComparers(StringComparer.Ordinal));

    public ParamValue this[string name] =>
        Values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"hyperparameter '{name}' is not set");

    public double Double(string name) => this[name].AsDouble();
    public int Int(string name) => this[name].AsInt();
    public string Text(string name) => this[name].AsString();

    /// <summary>Numbers as doubles, words as strings: for JSON a person reads (params.json, the HTTP API).</summary>
    public IReadOnlyDictionary<string, object> ToPlainValues() =>
        Values.ToDictionary(kv => kv.Key, kv => kv.Value.IsNumber ? (object)kv.Value.AsDouble() : kv.Value.AsString());

    public ParameterSet With(string name, ParamValue value) => new(Values.SetItem(name, value));

    /// <summary>These values without <paramref name="name"/>: a conditional parameter whose condition fails is absent.</summary>
    public ParameterSet Without(string name) => new(Values.Remove(name));

    /// <summary>These values, overridden by <paramref name="overrides"/>.</summary>
    public ParameterSet Override(ParameterSet overrides) =>
        overrides.Values.Aggregate(this, (set, kv) => set.With(kv.Key, kv.Value));

    public bool Equals(ParameterSet? other) =>
        other is not null && Values.Count == other.Values.Count &&
        Values.All(kv => other.Values.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));

    public override int GetHashCode() =>
        Values.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));

    public override string ToString() => string.Join(", ", Values.Select(kv => $"{kv.Key}={kv.Value}"));
}
