using System.Text.Json;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>
/// Issue #11: the same sweep gives the same results at any concurrency. The real `run` verb runs
/// two sweeps (random search with median pruning and dropout; TPE with median pruning) on the real
/// digits at max-concurrent-trials = 1 and again at 2, and everything but wall time must match.
/// </summary>
public sealed class DeterminismSpecs : IDisposable
{
    private static readonly string[] Sweeps = ["det-random", "det-tpe"];

    private readonly TempDir _dir = new();

    /// <summary>The two sweeps; only max-concurrent-trials differs between the runs.</summary>
    private static string Spec(int concurrency)
    {
        var common = $$"""
            model = cnn
            dataset = { name = mnist-default, limit = 600 }
            cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
            training { max-epochs = 3, steps-per-epoch = 4, batch-size = 32, hidden = 16 }
            pruning { rule = median, grace-epochs = 1, min-trials = 1 }
            resources { max-concurrent-trials = {{concurrency}}, threads-per-trial = 1 }
            retries = 1
            """;
        const string space = "space { learning-rate { log-uniform = [1e-4, 3e-2] }, dropout { uniform = [0.1, 0.5] } }";
        return $$"""
            experiments.sweeps = [
              {
                name = det-random
                {{common}}
                search { method = random, samples = 4, seed = 11, {{space}} }
              }
              {
                name = det-tpe
                {{common}}
                search { method = tpe, samples = 6, seed = 3, tpe { startup-trials = 2 }, {{space}} }
              }
            ]
            """;
    }

    private async Task<string> Run(int concurrency)
    {
        var results = _dir.File($"results-{concurrency}");
        var spec = _dir.Write($"sweeps-{concurrency}.hocon", Spec(concurrency));
        Logging.Configure(results);
        try
        {
            using var output = new StringWriter();
            var exitCode = await Commands.RunAsync(spec, results, output, CancellationToken.None);
            Assert.True(exitCode == ExitCodes.Success, $"run at concurrency {concurrency} exited {exitCode}:\n{output}");
            return results;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    [Fact]
    public async Task Should_give_the_same_leaderboards_pruning_decisions_and_metrics_at_concurrency_1_and_2()
    {
        var serial = await Run(concurrency: 1);
        var parallel = await Run(concurrency: 2);

        foreach (var sweep in Sweeps)
        {
            var one = Path.Combine(serial, sweep);
            var two = Path.Combine(parallel, sweep);

            Assert.Equal(File.ReadAllText(Path.Combine(one, "leaderboard.csv")), File.ReadAllText(Path.Combine(two, "leaderboard.csv")));
            Assert.Equal(SummaryFacts(one), SummaryFacts(two));

            var trials = TrialFolders(one);
            Assert.Equal(trials, TrialFolders(two));
            foreach (var trial in trials)
                Assert.True(
                    MetricsWithoutSeconds(Path.Combine(one, "trials", trial)) == MetricsWithoutSeconds(Path.Combine(two, "trials", trial)),
                    $"{sweep}/trials/{trial}/metrics.csv differs between concurrency 1 and 2");
        }

        // The comparison means something only if the median rule decided something.
        Assert.Contains("pruned", File.ReadAllText(Path.Combine(serial, "det-random", "leaderboard.csv")) +
                                  File.ReadAllText(Path.Combine(serial, "det-tpe", "leaderboard.csv")));
    }

    /// <summary>What summary.json says of each config (state per config, in rank order), the best config and the test score.</summary>
    private static string SummaryFacts(string sweepFolder)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweepFolder, "summary.json")));
        var root = summary.RootElement;
        var rows = root.GetProperty("leaderboard").EnumerateArray().Select(r => r.GetRawText());
        return string.Join("\n", [
            root.GetProperty("state").GetString(),
            root.GetProperty("trial-folds").GetRawText(),
            root.GetProperty("best").GetRawText(),
            root.GetProperty("test-score").GetRawText(),
            root.GetProperty("test-metrics").GetRawText(),
            .. rows]);
    }

    private static string[] TrialFolders(string sweepFolder) =>
        Directory.GetDirectories(Path.Combine(sweepFolder, "trials")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>metrics.csv with its last column (seconds: wall time) cut off every line.</summary>
    private static string MetricsWithoutSeconds(string trialFolder) =>
        string.Join("\n", File.ReadAllLines(Path.Combine(trialFolder, "metrics.csv")).Select(line => line[..line.LastIndexOf(',')]));

    public void Dispose() => _dir.Dispose();
}
