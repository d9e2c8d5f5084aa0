using System.CommandLine;
using Experiments.Training.Checkpoints;

namespace Experiments.Host;

/// <summary>
/// verify [RESULTS]: checks every checkpoint of every sweep (RESULTS/*/trials/*/*.ckpt) against its
/// <c>.sha256</c> and its own trailer, streaming the files (no torch). Prints one line per
/// checkpoint that is not plainly ok and a summary; exit 0 when none is damaged, 1 when one is,
/// 2 when RESULTS is not a results folder. It only reads: a running trial repairs its own sidecars.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var results = new Argument<string>("results")
        {
            Description = "results folder",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => Commands.DefaultResultsDirectory,
        };
        var verify = new Command("verify", "Check every checkpoint of RESULTS against its .sha256 and its own trailer; report the damaged ones") { results };
        verify.SetAction(parse => Run(parse.GetValue(results)!, Console.Out));
        return verify;
    }

    public static int Run(string resultsDirectory, TextWriter output)
    {
        if (NotAResultsFolder(resultsDirectory) is { } why)
        {
            output.WriteLine(why);
            return ExitCodes.InvalidInput;
        }
        List<CheckpointCheck> checks;
        try
        {
            checks = Checkpoints(resultsDirectory).Select(CheckpointIntegrity.Check).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"{resultsDirectory}: cannot read the results folder ({e.Message})");
            return ExitCodes.InvalidInput;
        }
        foreach (var check in checks.Where(c => c.Health != CheckpointHealth.Ok))
            output.WriteLine($"{Path.GetRelativePath(resultsDirectory, check.Path)}: {Label(check.Health)}: {check.Problem}");
        output.WriteLine(Summary(checks));
        return checks.Any(c => c.IsDamaged) ? ExitCodes.SweepFailed : ExitCodes.Success;
    }

    private static string? NotAResultsFolder(string directory)
    {
        if (File.Exists(directory)) return $"{directory} is a file, not a results folder.";
        if (!Directory.Exists(directory)) return $"{directory}: no such results folder.";
        var looksLikeOne = File.Exists(Path.Combine(directory, "experiments.db"))
                           || Directory.Exists(Path.Combine(directory, "logs"))
                           || Directory.EnumerateDirectories(directory).Any(d => Directory.Exists(Path.Combine(d, "trials")));
        return looksLikeOne ? null : $"{directory} is not a results folder (no experiments.db, logs/ or SWEEP/trials/ in it).";
    }

    /// <summary>Every *.ckpt of every trial of every sweep, and the checkpoints of which only a .sha256 is left.</summary>
    private static IEnumerable<string> Checkpoints(string results) =>
        Directory.EnumerateDirectories(results)
            .Select(sweep => Path.Combine(sweep, "trials"))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .SelectMany(trial => Directory.EnumerateFiles(trial)
                .Select(file => file.EndsWith(".ckpt.sha256", StringComparison.Ordinal) ? file[..^".sha256".Length] : file)
                .Where(file => file.EndsWith(".ckpt", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private static string Label(CheckpointHealth health) => health switch
    {
        CheckpointHealth.Damaged => "damaged",
        CheckpointHealth.SidecarDisagrees => "damaged sidecar",
        CheckpointHealth.MissingSidecar => "missing sidecar",
        CheckpointHealth.LegacySidecar => "legacy sidecar",
        _ => "ok",
    };

    private static string Summary(IReadOnlyCollection<CheckpointCheck> checks)
    {
        var damaged = checks.Count(c => c.IsDamaged);
        var summary = $"{checks.Count} checkpoints, {checks.Count - damaged} ok, {damaged} damaged";
        var legacy = checks.Count(c => c.Health == CheckpointHealth.LegacySidecar);
        var missing = checks.Count(c => c.Health == CheckpointHealth.MissingSidecar);
        return legacy + missing == 0 ? summary : $"{summary} (of the ok: {legacy} with a legacy sidecar, {missing} without a sidecar)";
    }
}
