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
        // The inbox takes a file once it has settled (5 s unchanged): the sweep may finish first.
        var rejected = Path.Combine(_results, "inbox", "rejected");
        await Eventually.Async(() => Task.FromResult(Directory.Exists(rejected) && Directory.GetFiles(rejected).Any(f => f.EndsWith("broken.hocon.errors.txt"))),
            TimeSpan.FromMinutes(1), () => "the malformed drop-in file was not rejected");
        Assert.Equal(0, await second.TerminateAsync());

        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_results, "crash-test", "summary.json"))).RootElement;
        Assert.Equal("completed", summary.GetProperty("state").GetString());
        Assert.True(summary.GetProperty("test-score").ValueKind == JsonValueKind.Number);
        Assert.All(summary.GetProperty("leaderboard").EnumerateArray(), row => Assert.Equal(2, row.GetProperty("folds-with-result").GetInt32()));

        // The journal is the record: every trial-fold ended exactly once, and none started again after it ended.
        var journal = ReadJournal();
        var ended = journal.Where(e => e.Type == "trial-ended/1").Select(e => e.Key).ToList();
        Assert.Equal(ended.Distinct().Count(), ended.Count);
        Assert.Equal(3 * 2 + 1, ended.Count); // 3 configs × 2 folds + the final retrain
        foreach (var end in journal.Where(e => e.Type == "trial-ended/1"))
            Assert.DoesNotContain(journal, e => e.Type == "trial-started/1" && e.Key == end.Key && e.Sequence > end.Sequence);

        foreach (var trial in Directory.GetDirectories(Path.Combine(_results, "crash-test", "trials"), "*-fold-*"))
        {
            var epochs = File.ReadAllLines(Path.Combine(trial, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0])).ToList();
            Assert.Equal(Enumerable.Range(1, MaxEpochs), epochs);
        }
        // In-flight trials lose at most the epoch they were in: at most one epoch redone per trial-fold
        // (a kill -9 may also lose the last log lines in flight, never a journalled result).
        var events = ReadLog();
        var reports = events.Where(e => e.Template.StartsWith("Trial {TrialId} fold {Fold} epoch {Epoch} {Metric}"))
            .GroupBy(e => (e.Int("TrialId"), e.Int("Fold")));
        Assert.All(reports, g => Assert.True(g.Count() <= MaxEpochs + 1, $"trial {g.Key} reported {g.Count()} epochs"));
        // Every event about a trial carries the four properties.
        Assert.All(events.Where(e => e.Has("TrialId")), e => Assert.True(e.Has("SweepId") && e.Has("Fold") && e.Has("Epoch"), e.Template));
    }

    private sealed record JournalEvent(string Type, (int ConfigId, int Fold) Key, long Sequence);

    /// <summary>The sweep's events from the SQLite journal: manifest ("trial-ended/1") and trial-fold (JournalContracts).</summary>
    private List<JournalEvent> ReadJournal()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_results, "experiments.db")}");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "select sequence_number, manifest, message from journal where persistence_id like 'sweep-crash-test-%' order by sequence_number";
        using var reader = query.ExecuteReader();
        var events = new List<JournalEvent>();
        while (reader.Read())
        {
            var json = JsonDocument.Parse((byte[])reader["message"]).RootElement;
            events.Add(new JournalEvent(reader.GetString(1), (Int(json, "config"), Int(json, "fold")), reader.GetInt64(0)));
        }
        return events;
    }

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : 0;

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
