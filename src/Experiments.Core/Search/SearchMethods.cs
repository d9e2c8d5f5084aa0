using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

public static class SearchMethods
{
    /// <summary>A fresh search method for the sweep; configurations carry the full resolved hyperparameter set.</summary>
    public static ISearchMethod Create(SweepSpec spec) => spec.Search.Method switch
    {
        SearchMethodKind.Grid => new GridSearch(spec.Search.Space, spec.Training.Defaults),
        SearchMethodKind.Random => new RandomSearch(spec.Search.Space, spec.Training.Defaults, spec.Search.Samples, spec.Search.Seed),
        SearchMethodKind.Tpe => new TpeSearch(spec.Search.Space, spec.Training.Defaults, spec.Search.Samples, spec.Search.Seed,
            spec.EarlyStopping.Mode, spec.Search.Tpe ?? TpeSettings.Default),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Search.Method, "unknown search method"),
    };

    /// <summary>Every configuration the method plans, in order, asked without telling anything (for grid and random; TPE would draw them all at random).</summary>
    public static IReadOnlyList<TrialConfig> All(ISearchMethod method)
    {
        var configs = new List<TrialConfig>();
        while (method.Ask() is { } config) configs.Add(config);
        return configs;
    }
}

/// <summary>
/// The size of a sweep before it runs: configurations, folds, and the epochs it costs at worst
/// (every configuration on every fold to max-epochs, then one final retrain of the best).
/// </summary>
public sealed record SweepPlan(string Name, int Configs, int Folds, int MaxEpochs)
{
    public long Trials => (long)Configs * Folds;
    public long WorstCaseEpochs => Trials * MaxEpochs + MaxEpochs;

    public static SweepPlan Of(SweepSpec spec) => new(
        spec.Name,
        SearchMethods.Create(spec).PlannedCount ?? spec.Search.Samples,
        spec.CrossValidation.Folds,
        spec.Training.MaxEpochs);
}
