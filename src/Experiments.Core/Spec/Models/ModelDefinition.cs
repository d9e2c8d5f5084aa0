using System.Collections.Immutable;

namespace Experiments.Core.Spec;

/// <summary>A metric a model reports at each evaluation, and which direction is better.</summary>
public sealed record MetricInfo(string Name, OptimizationMode BetterWhen, string Description);

/// <summary>
/// Everything the spec pipeline knows of one model: the name sweeps give as <c>model = ...</c>,
/// its hyperparameters (with defaults, ranges and docs) and its metrics, the first being the one a
/// sweep ranks by when it names none. Each model defines itself next to its trainer, in Training;
/// the spec reader, the docs test and the trainer all read this one definition.
/// </summary>
public sealed record ModelDefinition(
    string Name, ModelKind Kind, string Description,
    ImmutableArray<HyperParameterInfo> Parameters, ImmutableArray<MetricInfo> Metrics)
{
    public MetricInfo DefaultMetric => Metrics[0];

    /// <summary>Every hyperparameter at its default (an optional one without a default is absent).</summary>
    public ParameterSet Defaults => Parameters.Aggregate(ParameterSet.Empty, (set, p) => p.Default is { } value ? set.With(p.Name, value) : set);

    public HyperParameterInfo? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>The models a host can train: registered once, handed to the spec reader in its <see cref="SpecContext"/>.</summary>
public sealed class ModelRegistry
{
    public static readonly ModelRegistry Empty = new([]);

    public ModelRegistry(IEnumerable<ModelDefinition> models)
    {
        Models = models.ToImmutableArray();
        var duplicate = Models.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"model '{duplicate.Key}' is registered twice", nameof(models));
    }

    public ImmutableArray<ModelDefinition> Models { get; }
    public IReadOnlyList<string> Names => Models.Select(m => m.Name).ToList();

    public ModelDefinition? Find(string name) => Models.FirstOrDefault(m => m.Name == name);

    public ModelDefinition Of(ModelKind kind) =>
        Models.FirstOrDefault(m => m.Kind == kind) ?? throw new KeyNotFoundException($"no model registered for {kind}");
}

/// <summary>The hyperparameter and metric tables of docs/SWEEPS.md, written from the definitions.</summary>
public static class ModelDocs
{
    public static string Tables(ModelDefinition model) => string.Join("\n",
    [
        $"#### {model.Name}: {model.Description}",
        "",
        "| Hyperparameter | Default | Values | Meaning |",
        "|---|---|---|---|",
        .. model.Parameters.Select(p => $"| `{p.Name}` | {(p.Default is { } value ? $"`{value}`" : "absent")} | {p.Accepts()} | {p.Description} |"),
        "",
        "| Metric | Better | Meaning |",
        "|---|---|---|",
        .. model.Metrics.Select(m => $"| `{m.Name}` | {(m.BetterWhen == OptimizationMode.Min ? "lower" : "higher")} | {m.Description} |"),
    ]);
}
