using System.Text.Json;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>The `run` verb end to end: the real program on a tiny spec over the real digits.</summary>
public sealed class RunCommandSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private string Results => _dir.File("results");
    private string SweepFile(params string[] path) => Path.Combine([Results, "e2e", .. path]);

    private async Task<(int ExitCode, string Output)> RunTinySweep()
    {
        var spec = _dir.Write("tiny.hocon", SpecFiles.Tiny);
        Logging.Configure(Results);
        try
        {
            using var output = new StringWriter();
            var exitCode = await Commands.RunAsync(spec, Results, output, CancellationToken.None);
            return (exitCode, output.ToString());
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    private IEnumerable<JsonElement> LogEvents() =>
        Directory.GetFiles(Path.Combine(Results, "logs"), "*.clef")
            .SelectMany(File.ReadLines)
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement);

    [Fact]
    public async Task Should_run_a_tiny_sweep_to_the_end_print_its_leaderboard_and_leave_every_result_on_disk()
    {
        var (exitCode, output) = await RunTinySweep();

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("Sweep e2e: completed, ranked by val-loss (min)", output);
        Assert.Contains("| rank | config | learning-rate | val-loss (mean ± sd) | folds | epochs | state |", output);
        Assert.Contains("2 completed", output);
        Assert.Matches(@"Best config \d: .*learning-rate=0\.00[13]", output);
        Assert.Matches(@"on the held-out test split: .*val-accuracy \d\.\d{3,4}\b.*val-loss \d+\.\d{1,4}\b", output); // 4 significant digits

        Assert.Equal(3, File.ReadAllLines(SweepFile("leaderboard.csv")).Length); // header + two configs
        Assert.Equal(4, File.ReadAllLines(SweepFile("leaderboard.md")).Length);
        using (var summary = JsonDocument.Parse(File.ReadAllText(SweepFile("summary.json"))))
        {
            Assert.Equal("completed", summary.RootElement.GetProperty("state").GetString());
            Assert.InRange(summary.RootElement.GetProperty("test-score").GetDouble(), 0, 10);
        }
        foreach (var trial in new[] { "trial-0-fold-0", "trial-0-fold-1", "trial-1-fold-0", "trial-1-fold-1" })
        {
            Assert.True(File.Exists(SweepFile("trials", trial, "params.json")), $"{trial}/params.json");
            Assert.Equal(["epoch", "1", "2"], File.ReadAllLines(SweepFile("trials", trial, "metrics.csv")).Select(l => l.Split(',')[0]));
            Assert.True(File.Exists(SweepFile("trials", trial, "last.ckpt")), $"{trial}/last.ckpt");
            Assert.True(File.Exists(SweepFile("trials", trial, "last.ckpt.sha256")), $"{trial}/last.ckpt.sha256");
            Assert.Single(Directory.GetFiles(SweepFile("trials", trial), "events.out.tfevents.*"));
        }
        foreach (var plot in new[] { "learning-curves.png", "param-learning-rate.png" })
        {
            using var image = SkiaSharp.SKBitmap.Decode(SweepFile("plots", plot));
            Assert.True(image is { Width: > 0, Height: > 0 }, $"plots/{plot} is a PNG");
        }
    }

    [Fact]
    public async Task Should_log_trial_events_as_clef_with_sweep_trial_and_fold_properties()
    {
        var (exitCode, _) = await RunTinySweep();
        Assert.Equal(ExitCodes.Success, exitCode);

        var trialEvents = LogEvents().Where(e => e.TryGetProperty("TrialId", out _)).ToList();
        Assert.All(trialEvents, e => Assert.True(e.TryGetProperty("Epoch", out _), "every trial event carries Epoch"));
        var epochEvents = trialEvents
            .Where(e => e.GetProperty("@mt").GetString()!.StartsWith("Trial {TrialId} fold {Fold} epoch {Epoch} {Metric}", StringComparison.Ordinal))
            .ToList();

        // 2 configs × 2 folds × 2 epochs, plus the final retrain's 2 epochs.
        Assert.Equal(10, epochEvents.Count);
        Assert.All(epochEvents, e =>
        {
            Assert.Equal("e2e", e.GetProperty("SweepId").GetString());
            Assert.True(e.TryGetProperty("Fold", out _), "Fold property");
            Assert.True(e.TryGetProperty("@mt", out _), "a message template");
        });
        Assert.Equal([-1, 0, 1], epochEvents.Select(e => e.GetProperty("Fold").GetInt32()).Distinct().Order());
    }

    public void Dispose() => _dir.Dispose();
}
