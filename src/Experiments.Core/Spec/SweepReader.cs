using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Experiments.Core.Search;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>
/// Turns the parsed tree of a sweep file into <see cref="SweepSpec"/>s, collecting every problem
/// rather than stopping at the first. Each sweep is read over the defaults of reference.conf;
/// unknown keys are checked against the user's own keys only.
/// </summary>
internal sealed partial class SweepReader
{
    /// <summary>A grid larger than this is surely a mistake (and would not fit in memory to schedule).</summary>
    public const long MaxGridSize = 1_000_000;

    private static readonly string[] ModelNames = ["cnn", "gan"];
    private static readonly string[] KnownDatasets = [DatasetSpec.DefaultName];
    private static readonly string[] DatasetKeys = ["name", "images", "labels", "limit", "memory-mapped"];
    private static readonly string[] DomainKeys = ["choice", "uniform", "log-uniform", "int-range", "grid-points", "step"];

    private readonly string _source;
    private readonly string _baseDirectory;
    private readonly SpecContext _context;
    private readonly ImmutableDictionary<string, int> _keyLines;
    private readonly ImmutableHashSet<string> _referenced;
    private readonly List<SpecError> _errors = [];
    private readonly List<SpecWarning> _warnings = [];

    private SweepReader(string source, string baseDirectory, SpecContext context, ImmutableDictionary<string, int> keyLines,
        ImmutableHashSet<string> referenced)
    {
        _referenced = referenced;
        _source = source;
        _baseDirectory = baseDirectory;
        _context = context;
        _keyLines = keyLines;
    }

    public static SpecLoadResult Read(ObjectNode root, ObjectNode sweepDefaults, string source, string baseDirectory,
        SpecContext context, ImmutableDictionary<string, int> keyLines, ImmutableHashSet<string> referenced)
    {
        var reader = new SweepReader(source, baseDirectory, context, keyLines, referenced);
        var sweeps = reader.ReadRoot(root, sweepDefaults);
        var result = reader._errors.Count == 0 ? SpecLoadResult.Valid(sweeps) : SpecLoadResult.Invalid(reader._errors);
        return result with { Warnings = reader._warnings.ToImmutableArray() };
    }

    // \z, not $: '$' also matches before a final new line, which let "abc\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex SweepNamePattern();

    // ---- errors -------------------------------------------------------------------------------

    private void Error(string path, string message) => _errors.Add(SpecError.AtKey(_source, path, LineOf(path), message));

    private void Warn(string path, string message) => _warnings.Add(new SpecWarning(_source, LineOf(path), path, message));

    /// <summary>The line of the key, or of its closest enclosing key when it is not in the file.</summary>
    private int? LineOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_keyLines.TryGetValue("experiments." + p, out var line) || _keyLines.TryGetValue(p, out line)) return line;
        }
        return null;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    private void CheckKeys(ObjectNode user, IReadOnlyCollection<string> known, string path)
    {
        foreach (var key in user.Keys.Where(k => !known.Contains(k)))
            Error(Join(path, key), $"unknown key '{key}'{Suggestions.Hint(key, known)}");
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    // ---- root ---------------------------------------------------------------------------------

    private ImmutableArray<SweepSpec> ReadRoot(ObjectNode root, ObjectNode sweepDefaults)
    {
        // Outside the sweeps, a key that a substitution uses is a definition (a base sweep), not a typo.
        CheckKeys(root, ["experiments", .. root.Keys.Where(_referenced.Contains)], "");
        if (root.Get("experiments") is not ObjectNode experiments)
        {
            Error("experiments", "no sweeps: declare experiments.sweeps = [ { name = ..., model = ... } ]");
            return [];
        }
        CheckKeys(experiments, ["sweeps", .. experiments.Keys.Where(k => _referenced.Contains("experiments." + k))], "");
        switch (experiments.Get("sweeps"))
        {
            case null:
                Error("sweeps", "no sweeps: declare experiments.sweeps = [ { name = ..., model = ... } ]");
                return [];
            case ArrayNode { Items.IsEmpty: true }:
                Error("sweeps", "zero sweeps: the array is empty");
                return [];
            case ArrayNode sweeps:
                var specs = sweeps.Items.Select((node, i) => ReadSweep(node, sweepDefaults, $"sweeps[{i}]")).ToList();
                CheckUniqueNames(specs);
                return specs.OfType<SweepSpec>().ToImmutableArray();
            case var other:
                Error("sweeps", $"expected an array of sweeps [ {{ ... }} ], got {other.Describe()}");
                return [];
        }
    }

    private void CheckUniqueNames(List<SweepSpec?> specs)
    {
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i] is not { } spec) continue;
            if (firstIndex.TryGetValue(spec.Name, out var first))
                Error($"sweeps[{i}].name", $"duplicate sweep name '{spec.Name}' (also sweeps[{first}])");
            else firstIndex[spec.Name] = i;
        }
    }

    // ---- one sweep ----------------------------------------------------------------------------

    private SweepSpec? ReadSweep(HoconNode node, ObjectNode defaults, string path)
    {
        if (node is not ObjectNode user)
        {
            Error(path, $"expected a sweep object {{ name = ..., model = ... }}, got {node.Describe()}");
            return null;
        }
        var errorsBefore = _errors.Count;
        CheckKeys(user, defaults.Keys.ToArray(), path);
        var sweep = user.Over(defaults);

        var name = ReadName(sweep, path);
        var model = ReadModel(sweep, path);
        var dataset = ReadDataset(sweep.Get("dataset")!, Join(path, "dataset"));
        var crossValidation = ReadCrossValidation(Section(user, sweep, defaults, "cross-validation", path), Join(path, "cross-validation"));
        var training = model is null ? null : ReadTraining(Section(user, sweep, defaults, "training", path), Join(path, "training"), model.Value);
        var search = model is null ? null : ReadSearch(Section(user, sweep, defaults, "search", path), Join(path, "search"), model.Value);
        var earlyStopping = model is null ? null : ReadEarlyStopping(Section(user, sweep, defaults, "early-stopping", path),
            user.Get("early-stopping") is not null, Join(path, "early-stopping"), model.Value);
        var pruning = ReadPruning(Section(user, sweep, defaults, "pruning", path), Join(path, "pruning"));
        var resources = ReadResources(Section(user, sweep, defaults, "resources", path), Join(path, "resources"));
        var retries = Int(sweep, "retries", path, 0, 100);
        var checkpoint = ReadCheckpoint(Section(user, sweep, defaults, "checkpoint", path), Join(path, "checkpoint"));

        if (dataset is not null && crossValidation is not null) CheckFoldsAgainstClasses(dataset, crossValidation, Join(path, "cross-validation.folds"));

        if (_errors.Count > errorsBefore || name is null || model is null || dataset is null || search is null || crossValidation is null
            || training is null || earlyStopping is null || pruning is null || resources is null || retries is null || checkpoint is null)
            return null;
        return new SweepSpec(name, model.Value, dataset, search, crossValidation, training, earlyStopping, pruning, resources,
            retries.Value, checkpoint);
    }

    /// <summary>A section of the sweep (user over defaults), after checking the user's keys in it.</summary>
    private ObjectNode? Section(ObjectNode user, ObjectNode merged, ObjectNode defaults, string key, string path)
    {
        var sectionPath = Join(path, key);
        if (merged.Get(key) is not ObjectNode section)
        {
            Error(sectionPath, $"expected an object {{ ... }}, got {merged.Get(key)?.Describe() ?? "nothing"}");
            return null;
        }
        // Training keys include the model's hyperparameters: ReadTraining checks them itself.
        if (key != "training" && user.Get(key) is ObjectNode mine && defaults.Get(key) is ObjectNode theirs && key != "search")
            CheckKeys(mine, theirs.Keys.ToArray(), sectionPath);
        return section;
    }

    private string? ReadName(ObjectNode sweep, string path)
    {
        var name = Word(sweep, "name", path);
        if (name is null)
        {
            Error(Join(path, "name"), "a name is required (lower-case letters, digits and '-')");
            return null;
        }
        if (!SweepNamePattern().IsMatch(name))
        {
            Error(Join(path, "name"), $"{Quote(name)} is not a valid name: use 1 to 64 lower-case letters, digits and '-', starting with a letter or digit");
            return null;
        }
        return name;
    }

    private ModelKind? ReadModel(ObjectNode sweep, string path)
    {
        var model = Word(sweep, "model", path);
        switch (model)
        {
            case null: Error(Join(path, "model"), "a model is required: cnn | gan"); return null;
            case "cnn": return ModelKind.Cnn;
            case "gan": return ModelKind.Gan;
            default: Error(Join(path, "model"), $"unknown model '{model}'{Suggestions.Hint(model, ModelNames)}"); return null;
        }
    }

    // ---- dataset ------------------------------------------------------------------------------

    private DatasetSpec? ReadDataset(HoconNode node, string path)
    {
        switch (node)
        {
            case ScalarNode scalar:
                return KnownDataset(scalar.Text, null, path);
            case ObjectNode dataset:
                CheckKeys(dataset, DatasetKeys, path);
                var name = Word(dataset, "name", path);
                var images = Word(dataset, "images", path);
                var labels = Word(dataset, "labels", path);
                var limit = dataset.Get("limit") is null or NullNode ? null : Int(dataset, "limit", path, 1, int.MaxValue);
                var memoryMapped = dataset.Get("memory-mapped") is not (null or NullNode) && Bool(dataset, "memory-mapped", path) == true;
                if (images is null && labels is null)
                {
                    if (memoryMapped) Error(Join(path, "memory-mapped"), "only IDX files (images and labels) can be memory-mapped");
                    if (name is not null) return KnownDataset(name, limit, Join(path, "name"));
                    Error(path, $"name a dataset ({string.Join(", ", KnownDatasets)}) or give images and labels (IDX files)");
                    return null;
                }
                if (images is null || labels is null)
                {
                    Error(Join(path, images is null ? "images" : "labels"), "images and labels go together: give both IDX files");
                    return null;
                }
                var imagesPath = ResolveFile(images, Join(path, "images"));
                var labelsPath = ResolveFile(labels, Join(path, "labels"));
                if (imagesPath is null || labelsPath is null) return null;
                if (memoryMapped && imagesPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    Error(Join(path, "memory-mapped"), "a .gz file cannot be memory-mapped: decompress it (gunzip -k) and name the raw file");
                    return null;
                }
                return new DatasetSpec(name ?? Path.GetFileName(imagesPath), imagesPath, labelsPath, limit) { MemoryMapped = memoryMapped };
            default:
                Error(path, $"expected a dataset name or {{ name = ..., limit = ... }} or {{ images = ..., labels = ... }}, got {node.Describe()}");
                return null;
        }
    }

    private DatasetSpec? KnownDataset(string name, int? limit, string path)
    {
        if (KnownDatasets.Contains(name)) return new DatasetSpec(name, null, null, limit);
        Error(path, $"unknown dataset '{name}'{Suggestions.Hint(name, KnownDatasets)} (or give images and labels IDX files)");
        return null;
    }

    private string? ResolveFile(string file, string path)
    {
        string full;
        try { full = Path.GetFullPath(Path.Combine(_baseDirectory, file)); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(path, $"'{file}' is not a valid path");
            return null;
        }
        if (_context.Exists(full)) return full;
        Error(path, $"file not found: {full}");
        return null;
    }

    private void CheckFoldsAgainstClasses(DatasetSpec dataset, CrossValidationSpec cv, string path)
    {
        if (_context.ClassCounts is null) return;
        IReadOnlyDictionary<int, int>? counts;
        try { counts = _context.ClassCounts(dataset); }
        catch (Exception e)
        {
            Error(path, $"could not count the samples of dataset '{dataset.Name}': {e.Message}");
            return;
        }
        if (counts is null || counts.Count == 0) return;
        var kept = 1 - cv.TestFraction;
        if (cv.Stratified)
        {
            var smallest = counts.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).First();
            var available = (int)Math.Floor(smallest.Value * kept);
            if (cv.Folds > available)
                Error(path, $"{cv.Folds} folds but class {smallest.Key} has only {available} samples after the test hold-out; " +
                    "stratified folds need at least one sample of every class in each fold");
        }
        else
        {
            var available = (int)Math.Floor(counts.Values.Sum(c => (long)c) * kept);
            if (cv.Folds > available) Error(path, $"{cv.Folds} folds but only {available} samples after the test hold-out");
        }
    }

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

    private TrainingSpec? ReadTraining(ObjectNode? section, string path, ModelKind model)
    {
        if (section is null) return null;
        var parameters = ModelCatalog.ParametersOf(model);
        var known = new[] { "max-epochs", "steps-per-epoch" }.Concat(parameters.Select(p => p.Name)).ToArray();
        CheckKeys(section, known, path);
        var maxEpochs = Int(section, "max-epochs", path, 1, 1_000_000);
        var stepsPerEpoch = section.Get("steps-per-epoch") is null or NullNode ? null : Int(section, "steps-per-epoch", path, 1, int.MaxValue);
        var failed = maxEpochs is null || section.Get("steps-per-epoch") is ScalarNode && stepsPerEpoch is null;
        var defaults = ModelCatalog.DefaultsOf(model);
        foreach (var info in parameters)
        {
            if (section.Get(info.Name) is not { } node) continue;
            if (FixedValue(node, info, Join(path, info.Name)) is { } value) defaults = defaults.With(info.Name, value);
            else failed = true;
        }
        return failed ? null : new TrainingSpec(maxEpochs!.Value, stepsPerEpoch, defaults);
    }

    private SearchSpec? ReadSearch(ObjectNode? section, string path, ModelKind model)
    {
        if (section is null) return null;
        CheckKeys(section, ["method", "samples", "seed", "space"], path);
        var methodWord = Word(section, "method", path);
        SearchMethodKind? method = methodWord switch
        {
            "grid" => SearchMethodKind.Grid,
            "random" => SearchMethodKind.Random,
            null => null,
            _ => null,
        };
        if (method is null)
            Error(Join(path, "method"), methodWord is null ? "a search method is required: grid | random"
                : $"unknown search method '{methodWord}'{Suggestions.Hint(methodWord, ["grid", "random"])}");
        var samples = Int(section, "samples", path, 1, 1_000_000);
        var seed = Int(section, "seed", path, int.MinValue, int.MaxValue);
        var space = ReadSpace(section.Get("space"), Join(path, "space"), model, method);
        if (space is not null && method == SearchMethodKind.Grid && GridSearch.CountOrNull(space) is var count && count is null or > MaxGridSize)
            Error(Join(path, "space"), $"the grid has {(count is null ? "too many" : count.Value.ToString(CultureInfo.InvariantCulture))} configurations (at most {MaxGridSize:N0}); use a random search or fewer values");
        if (space is not null && method == SearchMethodKind.Random && samples is > 1) CheckRandomSpace(space, samples.Value, path);
        return method is null || samples is null || seed is null || space is null ? null
            : new SearchSpec(method.Value, samples.Value, seed.Value, space);
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
            Warn(Join(path, "samples"), $"{samples} samples from a space of {count} configurations repeat some of them; use method = grid to run each once");
    }

    private EarlyStoppingSpec? ReadEarlyStopping(ObjectNode? section, bool declared, string path, ModelKind model)
    {
        if (section is null) return null;
        var enabled = section.Get("enabled") is null or NullNode ? declared : Bool(section, "enabled", path);
        var metrics = ModelCatalog.MetricsOf(model);
        var metricName = Word(section, "metric", path);
        var metric = metricName is null ? ModelCatalog.DefaultMetric(model) : metrics.FirstOrDefault(m => m.Name == metricName);
        if (metric is null)
            Error(Join(path, "metric"), $"metric '{metricName}' is not reported by model {model.ToString().ToLowerInvariant()}" +
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
        PruningRule? rule = ruleWord switch { "none" => PruningRule.None, "median" => PruningRule.Median, "asha" => PruningRule.Asha, _ => null };
        if (rule is null) Error(Join(path, "rule"), $"unknown pruning rule '{ruleWord}'{Suggestions.Hint(ruleWord ?? "", ["none", "median", "asha"])}");
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
        if (threads > _context.Cores)
            Warn(Join(path, "threads-per-trial"), $"{threads} threads per trial but this machine has {_context.Cores} core{(_context.Cores == 1 ? "" : "s")}: " +
                "the trial's threads will share them and run slower, not faster");
        return concurrent is null || threads is null ? null : new ResourcesSpec(concurrent.Value, threads.Value);
    }

    private CheckpointSpec? ReadCheckpoint(ObjectNode? section, string path)
    {
        if (section is null) return null;
        var keepBest = Bool(section, "keep-best", path);
        var every = Int(section, "every-epochs", path, 1, 1_000_000);
        return keepBest is null || every is null ? null : new CheckpointSpec(keepBest.Value, every.Value);
    }

    // ---- search space -------------------------------------------------------------------------

    private SearchSpace? ReadSpace(HoconNode? node, string path, ModelKind model, SearchMethodKind? method)
    {
        if (node is not ObjectNode space)
        {
            Error(path, $"expected an object {{ parameter = values, ... }}, got {node?.Describe() ?? "nothing"}");
            return null;
        }
        var parameters = ModelCatalog.ParametersOf(model);
        CheckKeys(space, parameters.Select(p => p.Name).ToArray(), path);
        var domains = new List<ParameterDomain>();
        var failed = false;
        foreach (var (name, value) in space.Fields)
        {
            if (parameters.FirstOrDefault(p => p.Name == name) is not { } info) { failed = true; continue; }
            if (ReadDomain(value, info, Join(path, name), method) is { } domain) domains.Add(domain);
            else failed = true;
        }
        return failed ? null : new SearchSpace(domains.ToImmutableArray());
    }

    private ParameterDomain? ReadDomain(HoconNode node, HyperParameterInfo info, string path, SearchMethodKind? method)
    {
        switch (node)
        {
            case ScalarNode or NullNode:
                return FixedValue(node, info, path) is { } value ? new FixedDomain(info.Name, value) : null;
            case ArrayNode array:
                return ChoiceValues(array, info, path) is { } choices ? new ChoiceDomain(info.Name, choices) : null;
            case ObjectNode spec:
                CheckKeys(spec, DomainKeys, path);
                var kinds = spec.Keys.Where(k => k is "choice" or "uniform" or "log-uniform" or "int-range").ToList();
                if (kinds.Count != 1)
                {
                    Error(path, kinds.Count == 0 ? "declare one of choice, uniform, log-uniform, int-range"
                        : $"declare only one of {string.Join(", ", kinds)}");
                    return null;
                }
                return kinds[0] switch
                {
                    "choice" => ReadChoiceObject(spec, info, path),
                    "int-range" => ReadIntRange(spec, info, path),
                    var kind => ReadContinuous(spec, kind, info, path, method),
                };
            default:
                Error(path, $"expected a value, a list or a domain object, got {node.Describe()}");
                return null;
        }
    }

    private ChoiceDomain? ReadChoiceObject(ObjectNode spec, HyperParameterInfo info, string path)
    {
        foreach (var extra in new[] { "grid-points", "step" }.Where(k => spec.Get(k) is not null))
            Error(Join(path, extra), $"'{extra}' does not apply to a choice");
        if (spec.Get("choice") is not ArrayNode array)
        {
            Error(Join(path, "choice"), $"expected a list [a, b, ...], got {spec.Get("choice")!.Describe()}");
            return null;
        }
        return ChoiceValues(array, info, Join(path, "choice")) is { } choices ? new ChoiceDomain(info.Name, choices) : null;
    }

    private ImmutableArray<ParamValue>? ChoiceValues(ArrayNode array, HyperParameterInfo info, string path)
    {
        if (array.Items.IsEmpty)
        {
            Error(path, "empty choice list: give at least one value");
            return null;
        }
        var values = array.Items.Select((item, i) => FixedValue(item, info, $"{path}[{i}]")).ToList();
        if (values.Any(v => v is null)) return null;
        var distinct = values.Select(v => v!.Value).ToImmutableArray();
        var duplicate = distinct.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            Error(path, $"value {duplicate.Key} appears more than once");
            return null;
        }
        return distinct;
    }

    private ParameterDomain? ReadContinuous(ObjectNode spec, string kind, HyperParameterInfo info, string path, SearchMethodKind? method)
    {
        if (spec.Get("step") is not null) Error(Join(path, "step"), "'step' belongs to int-range");
        if (info.Type != ParamType.Real)
        {
            Error(path, info.Type == ParamType.Integer ? $"{info.Name} is an integer: use int-range" : $"{info.Name} takes words: use a choice list");
            return null;
        }
        if (Bounds(spec.Get(kind)!, Join(path, kind)) is not var (lo, hi)) return null;
        var boundsPath = Join(path, kind);
        if (kind == "log-uniform" && (lo <= 0 || hi <= 0))
        {
            Error(boundsPath, $"log-uniform bounds must be > 0, got [{Format(lo)}, {Format(hi)}]");
            return null;
        }
        if (!CheckRange(lo, hi, boundsPath, info)) return null;
        int? gridPoints = spec.Get("grid-points") is null or NullNode ? null : Int(spec, "grid-points", path, 2, 10_000);
        if (spec.Get("grid-points") is ScalarNode && gridPoints is null) return null;
        if (method == SearchMethodKind.Grid && gridPoints is null)
        {
            Error(path, $"a grid search cannot enumerate a continuous {kind} domain: add grid-points = n");
            return null;
        }
        return kind == "uniform" ? new UniformDomain(info.Name, lo, hi, gridPoints) : new LogUniformDomain(info.Name, lo, hi, gridPoints);
    }

    private IntRangeDomain? ReadIntRange(ObjectNode spec, HyperParameterInfo info, string path)
    {
        if (spec.Get("grid-points") is not null) Error(Join(path, "grid-points"), "'grid-points' does not apply to int-range (use step)");
        if (info.Type != ParamType.Integer)
        {
            Error(path, info.Type == ParamType.Real ? $"{info.Name} is real-valued: use uniform or log-uniform" : $"{info.Name} takes words: use a choice list");
            return null;
        }
        var boundsPath = Join(path, "int-range");
        if (Bounds(spec.Get("int-range")!, boundsPath) is not var (lo, hi)) return null;
        if (!IsInteger(lo) || !IsInteger(hi))
        {
            Error(boundsPath, $"int-range bounds must be integers, got [{Format(lo)}, {Format(hi)}]");
            return null;
        }
        if (!CheckRange(lo, hi, boundsPath, info, allowEqual: true)) return null;
        var step = spec.Get("step") is null ? 1 : Int(spec, "step", path, 1, int.MaxValue);
        return step is null ? null : new IntRangeDomain(info.Name, (long)lo, (long)hi, step.Value);
    }

    private (double Lo, double Hi)? Bounds(HoconNode node, string path)
    {
        if (node is ArrayNode { Items.Length: 2 } pair && Number(pair.Items[0]) is { } lo && Number(pair.Items[1]) is { } hi) return (lo, hi);
        Error(path, $"expected two numbers [min, max], got {Show(node)}");
        return null;
    }

    private bool CheckRange(double lo, double hi, string path, HyperParameterInfo info, bool allowEqual = false)
    {
        if (lo > hi) { Error(path, $"min {Format(lo)} > max {Format(hi)}"); return false; }
        if (lo == hi && !allowEqual) { Error(path, $"empty range [{Format(lo)}, {Format(hi)}]: use a fixed value instead"); return false; }
        var problems = new[] { info.Check(ParamValue.Of(lo)), info.Check(ParamValue.Of(hi)) }.OfType<string>().Distinct().ToList();
        foreach (var problem in problems) Error(path, $"{info.Name} {problem}");
        return problems.Count == 0;
    }

    private ParamValue? FixedValue(HoconNode node, HyperParameterInfo info, string path)
    {
        if (node is not ScalarNode scalar)
        {
            Error(path, $"expected a single value, got {node.Describe()}");
            return null;
        }
        var value = info.Type != ParamType.Word && Number(scalar) is { } x ? ParamValue.Of(x) : ParamValue.Of(scalar.Text);
        if (info.Check(value) is { } problem)
        {
            Error(path, $"{info.Name} {problem}");
            return null;
        }
        return value;
    }

    // ---- scalars ------------------------------------------------------------------------------

    private static double? Number(HoconNode node) =>
        node is ScalarNode { Text: var text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.IsFinite(x) ? x : null;

    private static bool IsInteger(double x) => Math.Abs(x - Math.Round(x)) < 1e-9 && Math.Abs(x) < 1e15;

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A word in quotes, with the characters a reader could not see written as HOCON escapes.</summary>
    private static string Quote(string word) =>
        "'" + string.Concat(word.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when char.IsControl(c) => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        })) + "'";

    private static string Show(HoconNode node) => node switch
    {
        ArrayNode a => $"[{string.Join(", ", a.Items.Select(Show))}]",
        ScalarNode s => s.Text,
        _ => node.Describe(),
    };

    private string? Word(ObjectNode o, string key, string path)
    {
        switch (o.Get(key))
        {
            case null or NullNode: return null;
            case ScalarNode s: return s.Text;
            case var other: Error(Join(path, key), $"expected a word, got {other.Describe()}"); return null;
        }
    }

    private int? Int(ObjectNode o, string key, string path, int min, int max)
    {
        var node = o.Get(key);
        var x = node is null ? null : Number(node);
        if (x is null || !IsInteger(x.Value))
        {
            Error(Join(path, key), $"expected an integer, got {(node is null ? "nothing" : node.Describe())}");
            return null;
        }
        if (x < min || x > max)
        {
            Error(Join(path, key), max == int.MaxValue ? $"must be >= {min}, got {Format(x.Value)}" : $"must be between {min} and {max}, got {Format(x.Value)}");
            return null;
        }
        return (int)x.Value;
    }

    private double? Real(ObjectNode o, string key, string path)
    {
        var node = o.Get(key);
        if (node is not null && Number(node) is { } x) return x;
        Error(Join(path, key), $"expected a number, got {(node is null ? "nothing" : node.Describe())}");
        return null;
    }

    private bool? Bool(ObjectNode o, string key, string path)
    {
        switch (o.Get(key))
        {
            case ScalarNode { Text: "on" or "true" or "yes" }: return true;
            case ScalarNode { Text: "off" or "false" or "no" }: return false;
            case var other:
                Error(Join(path, key), $"expected on or off (true/false, yes/no), got {other?.Describe() ?? "nothing"}");
                return null;
        }
    }
}
