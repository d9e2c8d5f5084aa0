using System.Globalization;
using System.Text.Json;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Host;
using Experiments.Training.Data;

namespace Experiments.Bench.Reference;

/// <summary>One measurement of one side: its values by name (full precision) and the machine's load around it.</summary>
public sealed record Sample(string Kind, string Variant, int Pair, string Side, IReadOnlyDictionary<string, double> Values, string LoadBefore, string LoadAfter);

/// <summary>Where the comparison runs: the repository, a scratch folder with the exported data, the dataset.</summary>
public sealed class CompareSetup(string root, string work, DigitDataset data)
{
    public const string ExperimentsSide = "experiments";
    public const string ReferenceSide = "reference";

    public string Root => root;
    public string Work => work;
    public DigitDataset Data => data;
    public string DigitsDirectory => Path.Combine(work, "digits");
    public string Script(string name) => Path.Combine(root, "bench", "reference", name);
    public string Spec(string name) => Path.Combine(root, "bench", "reference", name);
    public string Host => Path.Combine(root, "src", "Experiments.Host", "bin", "Release", "net10.0", "linux-x64", "experiments");

    /// <summary>The repository: the first folder up from here that holds Experiments.sln.</summary>
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Experiments.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Experiments.sln in {Directory.GetCurrentDirectory()} or above: run the bench from the repository");
    }

    public static SweepSpec LoadSpec(string path)
    {
        var result = SpecLoader.LoadFile(path, DatasetFacts.SpecContext());
        if (!result.IsValid) throw new InvalidOperationException(SpecReport.Render(result));
        return result.Sweeps.Single();
    }
}

/// <summary>Each side's run of each comparison, returning the values the tables show.</summary>
public static class CompareRuns
{
    // python3-torch and python3-optuna install into Debian's own interpreter; a python3 earlier on
    // PATH (pyenv, a venv) would not have them.
    private static readonly string DebianPython = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static IReadOnlyDictionary<string, double> ExperimentsCnn(CompareSetup setup, int threads, int steps) =>
        new Dictionary<string, double> { ["samples_per_second"] = CnnLoop.Run(setup.Data, CnnLoop.Project, threads, steps) };

    public static IReadOnlyDictionary<string, double> ExperimentsGan(CompareSetup setup, int threads, int steps) =>
        new Dictionary<string, double> { ["steps_per_second"] = GanLoop.Run(setup.Data, threads, steps) };

    public static IReadOnlyDictionary<string, double> ReferenceLoop(CompareSetup setup, string script, int threads, int steps) =>
        Python(setup, script, ["--data", setup.DigitsDirectory, "--threads", Invariant(threads), "--steps", Invariant(steps)]).Values;

    /// <summary>The sweep through the real runtime: the host's `run` verb on the spec, timed from process start to the printed summary.</summary>
    public static IReadOnlyDictionary<string, double> ExperimentsSweep(CompareSetup setup, SweepSpec spec, string specFile, string results)
    {
        var run = RunHost(setup, specFile, results);
        var summaryLine = run.First($"Sweep {spec.Name}:") ?? throw Failed("the host printed no summary", run);
        var directory = Path.Combine(results, spec.Name);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
        var top = summary.RootElement.GetProperty("leaderboard")[0];
        var trials = Directory.GetDirectories(Path.Combine(directory, "trials"));
        int Epochs(IEnumerable<string> dirs) => dirs.Sum(d => File.Exists(Path.Combine(d, "metrics.csv")) ? File.ReadLines(Path.Combine(d, "metrics.csv")).Count() - 1 : 0);
        var values = new Dictionary<string, double>
        {
            ["wall_seconds"] = summaryLine.Seconds,
            ["best_cv"] = top.GetProperty("mean").GetDouble(),
            ["test_accuracy"] = summary.RootElement.GetProperty("test-metrics").GetProperty(CnnModelMetric).GetDouble(),
            ["best_config"] = top.GetProperty("config").GetProperty("id").GetInt32(),
            ["epochs"] = Epochs(trials.Where(d => !d.EndsWith("-final", StringComparison.Ordinal))),
            ["final_epochs"] = Epochs(trials.Where(d => d.EndsWith("-final", StringComparison.Ordinal))),
            ["pruned"] = summary.RootElement.GetProperty("leaderboard").EnumerateArray().Count(r => r.GetProperty("state").GetString()!.Contains("pruned", StringComparison.Ordinal)),
        };
        foreach (var (key, value) in EpochTimes(trials.Where(d => !d.EndsWith("-final", StringComparison.Ordinal)))) values[key] = value;
        return values;
    }

    /// <summary>
    /// Where the cross-validation's time went, as sweep.py reports it for the reference: the seconds of every
    /// epoch (training and evaluation, metrics.csv), in all and by the config's hidden width, with their counts.
    /// </summary>
    public static IReadOnlyDictionary<string, double> EpochTimes(IEnumerable<string> trialDirectories)
    {
        var values = new Dictionary<string, double> { ["epoch_seconds"] = 0 };
        foreach (var directory in trialDirectories)
        {
            var metrics = Path.Combine(directory, "metrics.csv");
            if (!File.Exists(metrics)) continue;
            using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "params.json")));
            var hidden = parameters.RootElement.GetProperty("parameters").TryGetProperty("hidden", out var h) ? h.GetRawText() : "none";
            var lines = File.ReadLines(metrics).ToList();
            var column = lines[0].Split(',').ToList().IndexOf("seconds");
            foreach (var line in lines.Skip(1))
            {
                var seconds = double.Parse(line.Split(',')[column], CultureInfo.InvariantCulture);
                values["epoch_seconds"] += seconds;
                values[$"epoch_seconds_hidden_{hidden}"] = values.GetValueOrDefault($"epoch_seconds_hidden_{hidden}") + seconds;
                values[$"epochs_hidden_{hidden}"] = values.GetValueOrDefault($"epochs_hidden_{hidden}") + 1;
            }
        }
        return values;
    }

    public static IReadOnlyDictionary<string, double> ReferenceSweep(CompareSetup setup, string sweepDirectory, bool median)
    {
        var arguments = new List<string> { "--data", setup.DigitsDirectory, "--sweep", sweepDirectory };
        if (median) arguments.Add("--median");
        var (values, seconds) = Python(setup, "sweep.py", arguments);
        return new Dictionary<string, double>(values) { ["wall_seconds"] = seconds };
    }

    /// <summary>Process start to the first training step of the host's `run` (digits cached): the first epoch's log time minus its duration.</summary>
    public static IReadOnlyDictionary<string, double> ExperimentsStartup(CompareSetup setup, string results)
    {
        var run = RunHost(setup, setup.Spec("startup.hocon"), results);
        var epochStart = FirstEpochStart(Path.Combine(results, "logs")) ?? throw Failed("no epoch in the host's log", run);
        return new Dictionary<string, double> { ["startup_seconds"] = (epochStart - run.StartedUtc).TotalSeconds, ["process_seconds"] = run.Seconds };
    }

    public static IReadOnlyDictionary<string, double> ReferenceStartup(CompareSetup setup)
    {
        var run = TimedProcess.Run(DebianPython, [setup.Script("cnn.py"), "--data", setup.DigitsDirectory, "--startup"], setup.Root);
        var mark = run.First("FIRST-STEP ") ?? throw Failed("cnn.py --startup printed no FIRST-STEP", run);
        var firstStep = DateTime.UnixEpoch.AddSeconds(double.Parse(mark.Line["FIRST-STEP ".Length..], CultureInfo.InvariantCulture));
        return new Dictionary<string, double> { ["startup_seconds"] = (firstStep - run.StartedUtc).TotalSeconds, ["process_seconds"] = run.Seconds };
    }

    /// <summary>The first epoch's start in the CLEF log: its record's time minus the epoch's own duration (so at most the journalling delay late).</summary>
    public static DateTime? FirstEpochStart(string logDirectory)
    {
        foreach (var file in Directory.GetFiles(logDirectory, "*.clef").Order(StringComparer.Ordinal))
            foreach (var line in File.ReadLines(file))
            {
                using var record = JsonDocument.Parse(line);
                var root = record.RootElement;
                if (!root.TryGetProperty("@mt", out var template) || !template.GetString()!.StartsWith("Trial {TrialId} fold {Fold} epoch {Epoch}", StringComparison.Ordinal)) continue;
                var logged = DateTime.Parse(root.GetProperty("@t").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                return logged.AddSeconds(-root.GetProperty("Seconds").GetDouble());
            }
        return null;
    }

    private const string CnnModelMetric = Training.Cnn.CnnModel.Metrics.ValAccuracy;

    private static ProcessRun RunHost(CompareSetup setup, string specFile, string results)
    {
        if (!File.Exists(setup.Host)) throw new InvalidOperationException($"{setup.Host} is missing: build in Release (dotnet build -c Release src/Experiments.Host)");
        if (Directory.Exists(results)) Directory.Delete(results, recursive: true);  // a leftover journal would resume, not run
        var run = TimedProcess.Run(setup.Host, ["run", specFile, "--results", results], setup.Root);
        return run.ExitCode == 0 ? run : throw Failed($"the host exited with {run.ExitCode}", run);
    }

    private static (IReadOnlyDictionary<string, double> Values, double Seconds) Python(CompareSetup setup, string script, IEnumerable<string> arguments)
    {
        var run = TimedProcess.Run(DebianPython, [setup.Script(script), .. arguments], setup.Root);
        var result = run.First("RESULT ");
        if (run.ExitCode != 0 || result is null) throw Failed($"{script} exited with {run.ExitCode}", run);
        using var json = JsonDocument.Parse(result.Value.Line["RESULT ".Length..]);
        var values = json.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return (values, result.Value.Seconds);
    }

    private static InvalidOperationException Failed(string what, ProcessRun run) => new($"{what}; its last output:{Environment.NewLine}{run.Tail()}");

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
