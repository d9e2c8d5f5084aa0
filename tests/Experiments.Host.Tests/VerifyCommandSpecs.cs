using System.Diagnostics;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>The results folder of one real tiny sweep, shared by the tests, which each work on a copy.</summary>
public sealed class TinySweepResults : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    public string Results => _dir.File("results");

    public async Task InitializeAsync()
    {
        var spec = _dir.Write("tiny.hocon", SpecFiles.Tiny);
        Logging.Configure(Results);
        try
        {
            var exitCode = await Commands.RunAsync(spec, Results, TextWriter.Null, CancellationToken.None);
            if (exitCode != ExitCodes.Success) throw new InvalidOperationException($"the tiny sweep ended with exit code {exitCode}");
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public void CopyTo(string destination)
    {
        foreach (var file in Directory.EnumerateFiles(Results, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(Results, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The `verify` verb end to end, on the checkpoints of a real sweep.</summary>
public sealed class VerifyCommandSpecs : IClassFixture<TinySweepResults>, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _results;

    public VerifyCommandSpecs(TinySweepResults sweep)
    {
        _results = _dir.File("results");
        sweep.CopyTo(_results);
    }

    private string Trial(string trial, string file) => Path.Combine(_results, "e2e", "trials", trial, file);
    private int CheckpointCount => Directory.GetFiles(Path.Combine(_results, "e2e", "trials"), "*.ckpt", SearchOption.AllDirectories).Length;

    private (int ExitCode, string[] Lines) Verify(string results)
    {
        using var output = new StringWriter();
        var exitCode = VerifyCommand.Run(results, output);
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void FlipAByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Should_find_every_checkpoint_of_a_finished_sweep_ok_and_exit_zero()
    {
        var (exitCode, lines) = Verify(_results);

        Assert.True(CheckpointCount >= 8, $"{CheckpointCount} checkpoints"); // last and best of 4 trial-folds at least
        Assert.Equal([$"{CheckpointCount} checkpoints, {CheckpointCount} ok, 0 damaged"], lines);
        Assert.Equal(ExitCodes.Success, exitCode);
    }

    [Fact]
    public void Should_report_a_checkpoint_with_a_flipped_byte_as_damaged_and_exit_one()
    {
        FlipAByte(Trial("trial-1-fold-0", "best.ckpt"));

        var (exitCode, lines) = Verify(_results);

        Assert.Equal(
            [
                "e2e/trials/trial-1-fold-0/best.ckpt: damaged: its content does not match its own SHA-256 trailer: truncated or altered",
                $"{CheckpointCount} checkpoints, {CheckpointCount - 1} ok, 1 damaged",
            ],
            lines);
        Assert.Equal(ExitCodes.SweepFailed, exitCode);
    }

    [Fact]
    public void Should_report_legacy_and_missing_sidecars_without_failing()
    {
        var legacy = Trial("trial-0-fold-0", "last.ckpt");
        File.WriteAllText(legacy + ".sha256", $"{Convert.ToHexStringLower(File.ReadAllBytes(legacy)[^32..])}  last.ckpt\n");
        File.Delete(Trial("trial-0-fold-1", "best.ckpt.sha256"));

        var (exitCode, lines) = Verify(_results);

        Assert.Equal(3, lines.Length);
        Assert.StartsWith("e2e/trials/trial-0-fold-0/last.ckpt: legacy sidecar: ", lines[0]);
        Assert.StartsWith("e2e/trials/trial-0-fold-1/best.ckpt: missing sidecar: ", lines[1]);
        Assert.Equal($"{CheckpointCount} checkpoints, {CheckpointCount} ok, 0 damaged (of the ok: 1 with a legacy sidecar, 1 without a sidecar)", lines[2]);
        Assert.Equal(ExitCodes.Success, exitCode);
    }

    [Fact]
    public void Should_report_a_stale_sidecar_and_a_checkpoint_of_which_only_the_sidecar_is_left_as_damaged()
    {
        File.Copy(Trial("trial-0-fold-0", "last.ckpt.sha256"), Trial("trial-1-fold-1", "last.ckpt.sha256"), overwrite: true);
        File.Delete(Trial("trial-1-fold-0", "last.ckpt"));

        var (exitCode, lines) = Verify(_results);

        Assert.Equal(3, lines.Length);
        Assert.Equal("e2e/trials/trial-1-fold-0/last.ckpt: damaged: the checkpoint is missing: only its .sha256 is left", lines[0]);
        Assert.StartsWith("e2e/trials/trial-1-fold-1/last.ckpt: damaged sidecar: last.ckpt.sha256 holds another digest", lines[1]);
        Assert.Equal($"{CheckpointCount + 1} checkpoints, {CheckpointCount - 1} ok, 2 damaged", lines[2]);
        Assert.Equal(ExitCodes.SweepFailed, exitCode);
    }

    [Fact]
    public void Should_say_in_one_sentence_that_a_folder_is_not_a_results_folder_and_exit_two()
    {
        var elsewhere = Directory.CreateDirectory(_dir.File("elsewhere")).FullName;

        var (exitCode, lines) = Verify(elsewhere);
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal([$"{elsewhere} is not a results folder (no experiments.db, logs/ or SWEEP/trials/ in it)."], lines);

        (exitCode, lines) = Verify(_dir.File("nowhere"));
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal([$"{_dir.File("nowhere")}: no such results folder."], lines);
    }

    [Fact]
    public async Task Should_be_the_programs_verify_verb_with_its_exit_code()
    {
        FlipAByte(Trial("trial-0-fold-1", "last.ckpt"));
        var start = new ProcessStartInfo("dotnet", [ServiceProcess.ProgramPath(), "verify", _results])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(ExitCodes.SweepFailed, process.ExitCode);
        Assert.Contains("e2e/trials/trial-0-fold-1/last.ckpt: damaged: ", output);
        Assert.Contains($"{CheckpointCount} checkpoints, {CheckpointCount - 1} ok, 1 damaged", output);
        Assert.Equal("", await error);
    }

    public void Dispose() => _dir.Dispose();
}
