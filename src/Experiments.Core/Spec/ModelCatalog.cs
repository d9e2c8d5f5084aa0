using System.Collections.Immutable;

namespace Experiments.Core.Spec;

public enum ParamType { Real, Integer, Word }

/// <summary>
/// A hyperparameter a model understands: its type, default and the values it accepts.
/// <see cref="Check"/> returns null when a value is acceptable, else what is wrong with it.
/// </summary>
public sealed record HyperParameterInfo(
    string Name, ParamType Type, ParamValue Default, string Description,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity,
    bool MinExclusive = false, bool MaxExclusive = false,
    ImmutableArray<string> Words = default)
{
    public string? Check(ParamValue value)
    {
        if (Type == ParamType.Word)
        {
            if (value.IsNumber) return $"expected one of {string.Join(", ", Words)}, got {value}";
            return Words.Contains(value.AsString()) ? null : $"expected one of {string.Join(", ", Words)}, got '{value}'";
        }
        if (!value.IsNumber) return $"expected a number, got '{value}'";
        var x = value.AsDouble();
        if (double.IsNaN(x) || double.IsInfinity(x)) return $"expected a finite number, got {x}";
        if (Type == ParamType.Integer && Math.Abs(x - Math.Round(x)) > 1e-9) return $"expected an integer, got {x}";
        if (MinExclusive ? x <= Min : x < Min) return $"must be {(MinExclusive ? ">" : ">=")} {Min}, got {x}";
        if (MaxExclusive ? x >= Max : x > Max) return $"must be {(MaxExclusive ? "<" : "<=")} {Max}, got {x}";
        return null;
    }
}

/// <summary>A metric a model reports at each evaluation, and which direction is better.</summary>
public sealed record MetricInfo(string Name, OptimizationMode BetterWhen, string Description);

/// <summary>What each model accepts and reports: the single source for validation, defaults and docs.</summary>
public static class ModelCatalog
{
    public static class Metrics
    {
        public const string TrainLoss = "train-loss";
        public const string ValLoss = "val-loss";
        public const string ValAccuracy = "val-accuracy";
        public const string Fid = "fid";
        public const string ClassCoverage = "class-coverage";
        public const string GeneratorLoss = "g-loss";
        public const string DiscriminatorLoss = "d-loss";
    }

    private static HyperParameterInfo Real(string name, double def, string description, double min, double max = double.PositiveInfinity, bool minExclusive = false, bool maxExclusive = false) =>
        new(name, ParamType.Real, ParamValue.Of(def), description, min, max, minExclusive, maxExclusive);

    private static HyperParameterInfo Int(string name, int def, string description, int min, int max = int.MaxValue) =>
        new(name, ParamType.Integer, ParamValue.Of(def), description, min, max);

    public static readonly ImmutableArray<HyperParameterInfo> CnnParameters =
    [
        Real("learning-rate", 1e-3, "optimizer step size", 0, 10, minExclusive: true),
        Int("batch-size", 64, "samples per training step", 1, 65536),
        Int("hidden", 128, "width of the hidden dense layer", 1, 65536),
        Real("dropout", 0.0, "dropout probability after the hidden layer", 0, 1, maxExclusive: true),
        new("optimizer", ParamType.Word, ParamValue.Of("adam"), "adam or sgd (with momentum)", Words: ["adam", "sgd"]),
        Real("weight-decay", 0.0, "L2 penalty", 0, 1),
        Real("momentum", 0.9, "momentum of sgd (ignored by adam)", 0, 1, maxExclusive: true),
    ];

    public static readonly ImmutableArray<HyperParameterInfo> GanParameters =
    [
        Int("z-size", 64, "length of the generator's noise vector", 1, 4096),
        Real("g-learning-rate", 2e-4, "generator Adam step size", 0, 10, minExclusive: true),
        Real("d-learning-rate", 2e-4, "discriminator Adam step size", 0, 10, minExclusive: true),
        Int("batch-size", 64, "samples per training step", 1, 65536),
        Real("width", 1.0, "multiplier of every hidden layer's width", 0.05, 8),
        Real("label-smoothing", 0.0, "real labels become 1 - label-smoothing", 0, 0.5),
    ];

    public static readonly ImmutableArray<MetricInfo> CnnMetrics =
    [
        new(Metrics.ValLoss, OptimizationMode.Min, "cross-entropy on the validation fold"),
        new(Metrics.ValAccuracy, OptimizationMode.Max, "accuracy on the validation fold"),
        new(Metrics.TrainLoss, OptimizationMode.Min, "mean training loss of the epoch"),
    ];

    public static readonly ImmutableArray<MetricInfo> GanMetrics =
    [
        new(Metrics.Fid, OptimizationMode.Min, "Fréchet distance of generated to real digits in the CNN's feature space"),
        new(Metrics.ClassCoverage, OptimizationMode.Max, "normalised entropy of the classes the CNN sees in generated digits (1 = all ten, evenly)"),
        new(Metrics.GeneratorLoss, OptimizationMode.Min, "mean generator loss of the epoch"),
        new(Metrics.DiscriminatorLoss, OptimizationMode.Min, "mean discriminator loss of the epoch"),
    ];

    public static ImmutableArray<HyperParameterInfo> ParametersOf(ModelKind model) =>
        model == ModelKind.Cnn ? CnnParameters : GanParameters;

    public static ImmutableArray<MetricInfo> MetricsOf(ModelKind model) =>
        model == ModelKind.Cnn ? CnnMetrics : GanMetrics;

    /// <summary>The metric a sweep ranks by when the user names none.</summary>
    public static MetricInfo DefaultMetric(ModelKind model) => MetricsOf(model)[0];

    public static ParameterSet DefaultsOf(ModelKind model) =>
        ParametersOf(model).Aggregate(ParameterSet.Empty, (set, p) => set.With(p.Name, p.Default));
}
