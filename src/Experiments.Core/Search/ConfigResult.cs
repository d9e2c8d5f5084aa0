namespace Experiments.Core.Search;

/// <summary>How a configuration ended, as far as a search method cares.</summary>
public enum ConfigOutcome
{
    /// <summary>Trained on every fold: <see cref="ConfigResult.Score"/> is its cross-validated score.</summary>
    Completed,

    /// <summary>Stopped early by the pruner: <see cref="ConfigResult.Score"/> is the value it had reached at <see cref="ConfigResult.Step"/>.</summary>
    Pruned,

    /// <summary>Crashed past its retries, or diverged: no usable score. TPE ignores it, as Optuna ignores failed trials.</summary>
    Failed,
}

/// <summary>
/// What a search method is told about one finished configuration. <see cref="Score"/> is in the
/// sweep's metric (its direction is the method's business): the cross-validated score of a completed
/// configuration, the last value a pruned one reported (null if it reported none), null for a failure.
/// <see cref="Step"/> is how far it got (epochs, or fold × epochs): TPE ranks pruned configurations by
/// it first, as Optuna ranks pruned trials by their last intermediate step.
/// </summary>
public sealed record ConfigResult(int ConfigId, ConfigOutcome Outcome, double? Score, int Step)
{
    public static ConfigResult Completed(int configId, double score, int step = 0) => new(configId, ConfigOutcome.Completed, score, step);
    public static ConfigResult Pruned(int configId, double? reached, int step) => new(configId, ConfigOutcome.Pruned, reached, step);
    public static ConfigResult Failed(int configId, int step = 0) => new(configId, ConfigOutcome.Failed, null, step);
}
