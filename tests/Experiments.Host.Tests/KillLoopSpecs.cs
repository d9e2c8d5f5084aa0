using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Experiments.Host.Tests;

/// <summary>
/// End to end: the real `run` killed with SIGKILL at pseudo-random instants over start-up,
/// acceptance, the first journal entries and training, then run to the end. Whatever instant a
/// kill hits, the results folder stays usable and the sweep's results are whole.
/// </summary>
public sealed partial class KillLoopSpecs(ITestOutputHelper output) : IDisposable
{
    private const int MaxEpochs = 3;
    private const int Configs = 2;
    private const int Folds = 2;
    private static readonly string Spec = $$"""
        experiments.sweeps = [{
          name = kill-loop
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { learning-rate = [0.001, 0.003] } }
          cross-validation { folds = {{Folds}}, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = {{MaxEpochs}}, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
          retries = 1
        }]
        """;

    /// <summary>
    /// What a kill's delay counts from. The journal is watched directly: a log line comes through
    /// Akka's logger and the console, too late for the few milliseconds after acceptance.
    /// </summary>
    private enum Anchor { ProcessStart, JournalGrows, Training }

    /// <summary>Where each kill lands: an anchor in the program's life, then a random delay in [min, max) ms.</summary>
    private static readonly (string Phase, Anchor Anchor, int MinMs, int MaxMs)[] Kills =
    [
        ("acceptance", Anchor.JournalGrows, 0, 1), // on a fresh folder: right after the manager's SweepOpened, before the sweep's first entry
        ("start-up", Anchor.ProcessStart, 0, 2500),
        ("first journal entries", Anchor.JournalGrows, 15, 400),
        ("training", Anchor.Training, 0, 1500),
        ("training", Anchor.Training, 0, 1500),
    ];

    private readonly TempDir _dir = new();
    private string Results => _dir.File("results");

    [GeneratedRegex(@"Trial \d+ fold -?\d+ epoch \d+ ")]
    private static partial Regex EpochLine();

    private string Database => Path.Combine(Results, "experiments.db");

    private Task Reached(Anchor anchor, RunProcess run, long entriesBefore) => anchor switch
    {
        Anchor.JournalGrows => JournalGrown(run, entriesBefore),
        Anchor.Training => run.LineMatching(line => EpochLine().IsMatch(line)),
        _ => Task.CompletedTask,
    };

    /// <summary>Completes when the journal holds more entries than <paramref name="before"/>, or the process has exited.</summary>
    private async Task JournalGrown(RunProcess run, long before)
    {
        // One connection, queried in a tight loop: the window after acceptance is a few tens of milliseconds.
        while (!run.HasExited && !File.Exists(Database)) await Task.Delay(1);
        using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        while (!run.HasExited && Count(connection) <= before) await Task.Yield();
    }

    private long JournalEntries()
    {
        if (!File.Exists(Database)) return 0;
        using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return Count(connection);
    }

    private static long Count(SqliteConnection connection)
    {
        try
        {
            using var count = connection.CreateCommand();
            count.CommandText = "select count(*) from journal";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // the program has not created its tables yet
        }
    }

    [Fact]
    public async Task Should_finish_a_sweep_killed_at_random_instants_with_every_trial_fold_ended_once_and_whole_results()
    {
        var specFile = _dir.Write("kill-loop.hocon", Spec);
        var random = new Random(15); // the test's own draws: the same instants every run
        foreach (var (phase, anchor, minMs, maxMs) in Kills)
        {
            var delay = random.Next(minMs, maxMs);
            var entriesBefore = JournalEntries();
            using var run = RunProcess.Start(specFile, Results);
            await Reached(anchor, run, entriesBefore);
            if (delay > 0) await Task.Delay(delay);
            var exitedByItself = run.HasExited;
            run.KillHard();
            var exitCode = await run.ExitCodeAsync(TimeSpan.FromMinutes(1));
            output.WriteLine($"kill in {phase}, {delay} ms after {anchor}: {(exitedByItself ? $"had exited with {exitCode}" : "killed")}; journal entries {entriesBefore} → {JournalEntries()}");
            foreach (var line in run.Output.Split('\n').Where(l => l.Contains(" WRN]") || l.Contains(" ERR]") || l.Contains(" FTL]")))
                output.WriteLine("  " + line);
            if (exitedByItself) Assert.True(exitCode == ExitCodes.Success, $"run exited with {exitCode} before its kill ({phase}):\n{run.Output}");
        }

        using (var last = RunProcess.Start(specFile, Results))
        {
            var exitCode = await last.ExitCodeAsync(TimeSpan.FromMinutes(3));
            Assert.True(exitCode == ExitCodes.Success, $"the run after the kills exited with {exitCode}:\n{last.Output}");
            Assert.Contains("Sweep kill-loop: completed", last.Output);
        }

        await AssertEveryTrialFoldEndedOnce();
        AssertLeaderboardComplete();
        AssertEveryMetricsCsvCoversEachEpochOnce();
    }

    private async Task AssertEveryTrialFoldEndedOnce()
    {
        var spec = SpecLoader.LoadFile(_dir.File("kill-loop.hocon"), DatasetFacts.SpecContext()).Sweeps.Single();
        var journal = await SweepJournal.ReadAsync(Results, SweepSupervisor.PersistenceIdOf(spec));
        var ended = journal.Select((e, i) => (Event: e as SweepEvents.TrialEnded, Index: i)).Where(x => x.Event is not null).ToList();
        var keys = ended.Select(x => (x.Event!.ConfigId, x.Event.Fold)).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Equal(Configs * Folds + 1, keys.Count); // every trial-fold, and the final retrain
        foreach (var (end, index) in ended)
            Assert.DoesNotContain(journal.Skip(index + 1), e => e is SweepEvents.TrialStarted s && (s.ConfigId, s.Fold) == (end!.ConfigId, end.Fold));
        Assert.Single(journal.OfType<SweepEvents.SweepStarted>());
        Assert.Equal(SweepStates.Completed, Assert.Single(journal.OfType<SweepEvents.SweepEnded>()).State);
    }

    private void AssertLeaderboardComplete()
    {
        var sweep = Path.Combine(Results, "kill-loop");
        Assert.Equal(1 + Configs, File.ReadAllLines(Path.Combine(sweep, "leaderboard.csv")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweep, "summary.json")));
        Assert.Equal(SweepStates.Completed, summary.RootElement.GetProperty("state").GetString());
        var rows = summary.RootElement.GetProperty("leaderboard").EnumerateArray().ToList();
        Assert.Equal(Configs, rows.Count);
        Assert.All(rows, row => Assert.Equal(Folds, row.GetProperty("folds-with-result").GetInt32()));
        Assert.Equal(JsonValueKind.Number, summary.RootElement.GetProperty("test-score").ValueKind);
    }

    private void AssertEveryMetricsCsvCoversEachEpochOnce()
    {
        var trials = Directory.GetDirectories(Path.Combine(Results, "kill-loop", "trials"));
        Assert.Equal(Configs * Folds + 1, trials.Length);
        foreach (var trial in trials)
        {
            var epochs = File.ReadAllLines(Path.Combine(trial, "metrics.csv")).Skip(1)
                .Select(line => int.Parse(line.Split(',')[0], CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(1, MaxEpochs), epochs);
        }
    }

    public void Dispose() => _dir.Dispose();
}
