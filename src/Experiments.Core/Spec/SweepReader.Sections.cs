using System.Globalization;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>The sections of a sweep (cross-validation, training, search, early stopping, pruning, resources, checkpoint).</summary>
internal sealed partial class SweepReader
{
    // ---- sections -----------------------------------------------------------------------------

    private CrossValidationSpec? ReadCrossValidation(ObjectNode? section, string path)
    {
        if (section is null) return null;
        var folds = Int(section, "folds", path, int.MinValue, int.MaxValue);
        if (folds is < 2)
        {
            Error(Join(path, "folds"), $"at least 2 folds are needed for cross-validation, got {folds}");
            folds = null;
        }
        var stratified = Bool(section, "stratified", path);
        var seed = Int(section, "seed", path, int.MinValue, int.MaxValue);
        var testFraction = Real(section, "test-fraction", path);
        if (testFraction is <= 0 or >= 1)
        {
            Error(Join(path, "test-fraction"), $"must be between 0 and 1 (exclusive), got {Format(testFraction.Value)}");
            testFraction = null;
        }
        return folds is null || stratified is null || seed is null || testFraction is null ? null
            : new CrossValidationSpec(folds.Value, stratified.Value, seed.Value, testFraction.Value);
    }

    private TrainingSpec? ReadTraining(ObjectNode? section, string path, ModelDefinition model)
    {
        if (section is null) return null;
        var parameters = model.Parameters;
        var known = new[] { "max-epochs", "steps-per-epoch" }.Concat(parameters.Select(p => p.Name)).ToArray();
        CheckKeys(section, known, path);
        var maxEpochs = Int(section, "max-epochs", path, 1, 1_000_000);
        var stepsPerEpoch = section.Get("steps-per-epoch") is null or NullNode ? null : Int(section, "steps-per-epoch", path, 1, int.MaxValue);
        var failed = maxEpochs is null || section.Get("steps-per-epoch") is ScalarNode && stepsPerEpoch is null;
        var defaults = model.Defaults;
        foreach (var info in parameters)
        {
            if (section.Get(info.Name) is not { } node) continue;
            if (FixedValue(node, info, Join(path, info.Name)) is { } value) defaults = defaults.With(info.Name, value);
            else failed = true;
        }
        return failed ? null : new TrainingSpec(maxEpochs!.Value, stepsPerEpoch, defaults);
    }

    private SearchSpec? ReadSearch(ObjectNode? section, string path, ModelDefinition model)
    {
        if (section is null) return null;
        CheckKeys(section, ["method", "samples", "seed", "space", "tpe", "max-in-flight"], path);
        var methodWord = Word(section, "method", path);
        SearchMethodKind? method = methodWord switch
        {
            "grid" => SearchMethodKind.Grid,
            "random" => SearchMethodKind.Random,
            "tpe" => SearchMethodKind.Tpe,
            null => null,
            _ => null,
        };
        if (method is null)
            Error(Join(path, "method"), methodWord is null ? "a search method is required: grid | random | tpe"
                : $"unknown search method '{methodWord}'{Suggestions.Hint(methodWord, ["grid", "random", "tpe"])}");
        var samples = Int(section, "samples", path, 1, 1_000_000);
        var seed = Int(section, "seed", path, int.MinValue, int.MaxValue);
        var maxInFlight = Int(section, "max-in-flight", path, 1, 1000);
        var space = ReadSpace(section.Get("space"), Join(path, "space"), model, method);
        var tpe = ReadTpe(section.Get("tpe"), Join(path, "tpe"));
        if (space is not null && method == SearchMethodKind.Grid && GridSearch.CountOrNull(space) is var count && count is null or > MaxGridSize)
            Error(Join(path, "space"), $"the grid has {(count is null ? "too many" : count.Value.ToString(CultureInfo.InvariantCulture))} configurations (at most {MaxGridSize:N0}); use a random search or fewer values");
        if (space is not null && method == SearchMethodKind.Random && samples is > 1) CheckRandomSpace(space, samples.Value, path);
        return method is null || samples is null || seed is null || space is null || tpe is null || maxInFlight is null ? null
            : new SearchSpec(method.Value, samples.Value, seed.Value, space) { Tpe = method == SearchMethodKind.Tpe ? tpe : null, MaxInFlight = maxInFlight.Value };
    }

    private TpeSettings? ReadTpe(HoconNode? node, string path)
    {
        if (node is not ObjectNode section) { Error(path, $"expected an object {{ ... }}, got {node?.Describe() ?? "nothing"}"); return null; }
        CheckKeys(section, ["startup-trials", "candidates", "gamma", "gamma-cap", "multivariate", "constant-liar"], path);
        var (startup, candidates, gammaCap) = (Int(section, "startup-trials", path, 0, 1_000_000), Int(section, "candidates", path, 1, 100_000), Int(section, "gamma-cap", path, 1, 1_000_000));
        var (gamma, multivariate, liar) = (Real(section, "gamma", path), Bool(section, "multivariate", path), Bool(section, "constant-liar", path));
        if (gamma is <= 0 or > 1) { Error(Join(path, "gamma"), $"must be in (0, 1], got {Format(gamma.Value)}"); gamma = null; }
        return startup is null || candidates is null || gamma is null || gammaCap is null || multivariate is null || liar is null ? null
            : new TpeSettings(startup.Value, candidates.Value, gamma.Value, gammaCap.Value, multivariate.Value, liar.Value);
    }

    /// <summary>Random draws from a space with fewer configurations than samples repeat configurations.</summary>
    private void CheckRandomSpace(SearchSpace space, int samples, string path)
    {
        // Continuous domains without grid-points have no count: their draws never repeat.
        if (GridSearch.CountOrNull(space) is not { } count || count >= samples) return;
        if (count <= 1)
            Error(Join(path, "space"), $"a random search over a space that varies nothing draws the same configuration {samples} times: " +
                "vary a parameter, or use method = grid for one run");
        else
            Warning(Join(path, "samples"), $"{samples} samples from a space of {count} configurations repeat some of them; use method = grid to run each once");
    }

    private EarlyStoppingSpec? ReadEarlyStopping(ObjectNode? section, bool declared, string path, ModelDefinition model)
    {
        if (section is null) return null;
        var enabled = section.Get("enabled") is null or NullNode ? declared : Bool(section, "enabled", path);
        var metrics = model.Metrics;
        var metricName = Word(section, "metric", path);
        var metric = metricName is null ? model.DefaultMetric : metrics.FirstOrDefault(m => m.Name == metricName);
        if (metric is null)
            Error(Join(path, "metric"), $"metric '{metricName}' is not reported by model {model.Name}" +
                Suggestions.Hint(metricName!, metrics.Select(m => m.Name).ToArray()));
        var modeWord = Word(section, "mode", path);
        OptimizationMode? mode = modeWord switch
        {
            null => metric?.BetterWhen,
            "min" => OptimizationMode.Min,
            "max" => OptimizationMode.Max,
            _ => null,
        };
        if (modeWord is not null and not "min" and not "max") Error(Join(path, "mode"), $"expected min or max, got '{modeWord}'");
        else if (modeWord is not null && metric is not null && mode != metric.BetterWhen)
        {
            var (better, other) = metric.BetterWhen == OptimizationMode.Min ? ("lower", "min") : ("higher", "max");
            Error(Join(path, "mode"), $"{metric.Name} is better when {better}: mode = {modeWord} would stop the trials that improve (use {other}, or leave mode out)");
            mode = null;
        }
        var patience = Int(section, "patience", path, 1, 1_000_000);
        var minDelta = Real(section, "min-delta", path);
        if (minDelta is < 0) { Error(Join(path, "min-delta"), $"must be >= 0, got {Format(minDelta.Value)}"); minDelta = null; }
        return enabled is null || metric is null || mode is null || patience is null || minDelta is null ? null
            : new EarlyStoppingSpec(enabled.Value, metric.Name, mode.Value, patience.Value, minDelta.Value);
    }

    private PruningSpec? ReadPruning(ObjectNode? section, string path)
    {
        if (section is null) return null;
        var ruleWord = Word(section, "rule", path);
        PruningRule? rule = ruleWord switch { "none" => PruningRule.None, "median" => PruningRule.Median, "asha" => PruningRule.Asha, "hyperband" => PruningRule.Hyperband, _ => null };
        if (rule is null) Error(Join(path, "rule"), $"unknown pruning rule '{ruleWord}'{Suggestions.Hint(ruleWord ?? "", ["none", "median", "asha", "hyperband"])}");
        var grace = Int(section, "grace-epochs", path, 0, 1_000_000);
        var reduction = Int(section, "reduction-factor", path, 2, 1000);
        var minTrials = Int(section, "min-trials", path, 1, 1_000_000);
        return rule is null || grace is null || reduction is null || minTrials is null ? null
            : new PruningSpec(rule.Value, grace.Value, reduction.Value, minTrials.Value);
    }

    private ResourcesSpec? ReadResources(ObjectNode? section, string path)
    {
        if (section is null) return null;
        var concurrent = Int(section, "max-concurrent-trials", path, 1, 1024);
        var threads = Int(section, "threads-per-trial", path, 1, 1024);
        WarnAboveCores(threads, Join(path, "threads-per-trial"), "threads per trial", "the trial's");
        var retrainThreads = section.Get("final-retrain-threads") is null or NullNode ? null : Int(section, "final-retrain-threads", path, 1, 1024);
        WarnAboveCores(retrainThreads, Join(path, "final-retrain-threads"), "threads for the final retrain", "the retrain's");
        return concurrent is null || threads is null ? null
            : new ResourcesSpec(concurrent.Value, threads.Value) { FinalRetrainThreads = retrainThreads };
    }

    private void WarnAboveCores(int? threads, string key, string what, string whose)
    {
        if (threads > _context.Cores)
            Warning(key, $"{threads} {what} but this machine has {_context.Cores} core{(_context.Cores == 1 ? "" : "s")}: " +
                $"{whose} threads will share them and run slower, not faster");
    }

    private CheckpointSpec? ReadCheckpoint(ObjectNode? section, string path)
    {
        if (section is null) return null;
        var keepBest = Bool(section, "keep-best", path);
        var every = Int(section, "every-epochs", path, 1, 1_000_000);
        return keepBest is null || every is null ? null : new CheckpointSpec(keepBest.Value, every.Value);
    }
}
