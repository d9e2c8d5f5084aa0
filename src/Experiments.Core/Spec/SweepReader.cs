using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
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

    private static readonly string[] KnownDatasets = [DatasetSpec.DefaultName];
    private static readonly string[] DatasetKeys = ["name", "images", "labels", "limit", "memory-mapped"];
    private static readonly string[] DomainKeys = ["choice", "uniform", "log-uniform", "int-range", "grid-points", "step", "when"];

    private readonly string _source;
    private readonly string _baseDirectory;
    private readonly SpecContext _context;
    private readonly ImmutableDictionary<string, int> _keyLines;
    private readonly ImmutableHashSet<string> _referenced;
    private readonly List<SpecError> _errors = [];
    private readonly List<SpecError> _warnings = [];

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
        return result with { Warnings = [.. reader._warnings] };
    }

    // \z, not $: '$' also matches before a final new line, which let "abc\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex SweepNamePattern();

    // ---- errors -------------------------------------------------------------------------------

    private void Error(string path, string message) => _errors.Add(SpecError.AtKey(_source, path, LineOf(path), message));
    private void Warning(string path, string message) => _warnings.Add(SpecError.AtKey(_source, path, LineOf(path), message) with { IsWarning = true });

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
        var training = model is null ? null : ReadTraining(Section(user, sweep, defaults, "training", path), Join(path, "training"), model);
        var search = model is null ? null : ReadSearch(Section(user, sweep, defaults, "search", path), Join(path, "search"), model);
        var earlyStopping = model is null ? null : ReadEarlyStopping(Section(user, sweep, defaults, "early-stopping", path),
            user.Get("early-stopping") is not null, Join(path, "early-stopping"), model);
        var pruning = ReadPruning(Section(user, sweep, defaults, "pruning", path), Join(path, "pruning"));
        var resources = ReadResources(Section(user, sweep, defaults, "resources", path), Join(path, "resources"));
        var retries = Int(sweep, "retries", path, 0, 100);
        var checkpoint = ReadCheckpoint(Section(user, sweep, defaults, "checkpoint", path), Join(path, "checkpoint"));

        if (dataset is not null) CheckDataset(dataset, model?.Kind, crossValidation, path);

        if (_errors.Count > errorsBefore || name is null || model is null || dataset is null || search is null || crossValidation is null
            || training is null || earlyStopping is null || pruning is null || resources is null || retries is null || checkpoint is null)
            return null;
        return new SweepSpec(name, model.Kind, dataset, search, crossValidation, training, earlyStopping, pruning, resources,
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

    private ModelDefinition? ReadModel(ObjectNode sweep, string path)
    {
        var names = _context.Models.Names;
        var model = Word(sweep, "model", path);
        if (model is null) Error(Join(path, "model"), $"a model is required: {string.Join(" | ", names)}");
        else if (_context.Models.Find(model) is { } definition) return definition;
        else Error(Join(path, "model"), $"unknown model '{model}'{(names.Count == 0 ? " (no models are registered)" : Suggestions.Hint(model, names.ToArray()))}");
        return null;
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
                return new DatasetSpec(name ?? Path.GetFileName(imagesPath), imagesPath, labelsPath, limit) { MemoryMapped = memoryMapped, ImagesAsWritten = images, LabelsAsWritten = labels };
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
        Error(path, Directory.Exists(full) ? $"{full}: a directory, not a regular file" : $"file not found: {full}");
        return null;
    }

    /// <summary>What the host's summary of the dataset's files says (damage, classes the samples lack), then folds against classes.</summary>
    private void CheckDataset(DatasetSpec dataset, ModelKind? model, CrossValidationSpec? cv, string path)
    {
        if (_context.Dataset is null) return;
        DatasetSummary? summary;
        try { summary = _context.Dataset(dataset); }
        catch (Exception e)
        {
            Error(Join(path, "dataset"), $"could not read dataset '{dataset.Name}': {e.Message}");
            return;
        }
        if (summary is null) return;
        var errorsBefore = _errors.Count;
        foreach (var finding in DatasetRules.Check(dataset, model, summary))
            if (finding.IsWarning) Warning(Join(path, finding.Key), finding.Message);
            else Error(Join(path, finding.Key), finding.Message);
        if (cv is not null && _errors.Count == errorsBefore) CheckFoldsAgainstClasses(summary.UsedClasses, cv, Join(path, "cross-validation.folds"));
    }

    private void CheckFoldsAgainstClasses(IReadOnlyDictionary<int, int> counts, CrossValidationSpec cv, string path)
    {
        if (counts.Count == 0) return;
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
}
