using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Experiments.Host.Tests;

/// <summary>End to end: the real program as a process, killed with SIGKILL and restarted.</summary>
public sealed class ServeSpecs : IDisposable
{
    private const int MaxEpochs = 4;
    private readonly string _results = Directory.CreateTempSubdirectory("experiments-serve-").FullName;

    private static readonly string Spec = $$"""
        experiments.sweeps = [{
          name = crash-test
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { hidden = [16, 24, 32] } }
          cross-validation { folds = 2, test-fraction = 0.2 }
          training { max-epochs = {{MaxEpochs}}, batch-size = 32 }
          resources { max-concurrent-trials = 2 }
        }]
        """;

    [Fact]
    public async Task Should_finish_a_sweep_killed_mid_way_without_running_a_finished_trial_twice()
    {
        using (var first = ServiceProcess.Start(_results))
        {
            await first.WaitHealthyAsync();
            var submitted = await first.Http.PostAsync("/sweeps", new StringContent(Spec, Encoding.UTF8));
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            await Eventually.Async(async () => (await first.StatusAsync("crash-test"))?.GetProperty("done").GetInt32() >= 1,
                TimeSpan.FromMinutes(3), () => "no trial finished before the kill");
            first.KillHard();
        }

        using var second = ServiceProcess.Start(_results);
        await second.WaitHealthyAsync();
        // A malformed drop-in file is rejected; the service and the resumed sweep carry on.
        File.WriteAllText(Path.Combine(_results, "inbox", "broken.hocon"), "experiments.sweeps = [{ name = broken\n");
        await Eventually.Async(async () => (await second.StatusAsync("crash-test"))?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(5), () => "the resumed sweep did not complete");
        Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("/health")).StatusCode);
        Assert.Contains(Directory.GetFiles(Path.Combine(_results, "inbox", "rejected")), f => f.EndsWith("broken.hocon.errors.txt"));
        Assert.Equal(0, await second.TerminateAsync());

        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_results, "crash-test", "summary.json"))).RootElement;
        Assert.Equal("completed", summary.GetProperty("state").GetString());
        Assert.True(summary.GetProperty("test-score").ValueKind == JsonValueKind.Number);
        Assert.All(summary.GetProperty("leaderboard").EnumerateArray(), row => Assert.Equal(2, row.GetProperty("folds-with-result").GetInt32()));

        var events = ReadLog();
        var ended = events.Where(e => e.Template.Contains("{State} at epoch")).Select(e => (e.Int("TrialId"), e.Int("Fold"))).ToList();
        Assert.Equal(ended.Distinct().Count(), ended.Count); // no trial-fold finished twice
        Assert.Equal(3 * 2 + 1, ended.Count);                 // 3 configs × 2 folds + the final retrain

        foreach (var trial in Directory.GetDirectories(Path.Combine(_results, "crash-test", "trials"), "*-fold-*"))
        {
            var epochs = File.ReadAllLines(Path.Combine(trial, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0])).ToList();
            Assert.Equal(Enumerable.Range(1, MaxEpochs), epochs);
        }
        // In-flight trials lose at most the epoch they were in: at most one epoch redone per trial-fold.
        var reports = events.Where(e => e.Template.StartsWith("Trial {TrialId} fold {Fold} epoch {Epoch} {Metric}"))
            .GroupBy(e => (e.Int("TrialId"), e.Int("Fold")));
        Assert.All(reports, g => Assert.InRange(g.Count(), MaxEpochs, MaxEpochs + 1));
        // Every event about a trial carries the four properties.
        Assert.All(events.Where(e => e.Has("TrialId")), e => Assert.True(e.Has("SweepId") && e.Has("Fold") && e.Has("Epoch"), e.Template));
    }

    private sealed record LogEvent(string Template, JsonElement Properties)
    {
        public bool Has(string name) => Properties.TryGetProperty(name, out _);
        public int Int(string name) => Properties.GetProperty(name).GetInt32();
    }

    private List<LogEvent> ReadLog() =>
        Directory.GetFiles(Path.Combine(_results, "logs"), "*.clef")
            .SelectMany(File.ReadAllLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => new LogEvent(e.TryGetProperty("@mt", out var t) ? t.GetString()! : "", e))
            .ToList();

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
