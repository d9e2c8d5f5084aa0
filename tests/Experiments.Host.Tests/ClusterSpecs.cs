using System.Globalization;
using System.Text;
using System.Text.Json;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Microsoft.Data.Sqlite;

namespace Experiments.Host.Tests;

/// <summary>
/// End to end: a coordinator and workers as real processes on 127.0.0.1 ports. A sweep is shared
/// by the workers' slots, survives a worker or the coordinator killed with SIGKILL, and gives what
/// one node gives: the same rows, the same files in each trial folder (a GAN's sample grids,
/// TensorBoard event files), also when the worker must fetch the spec's own IDX files from the coordinator.
/// </summary>
public sealed class ClusterSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private static string SpecOf(string name, int maxEpochs, int steps, int digits = 600) => $$"""
        experiments.sweeps = [{
          name = {{name}}
          model = cnn
          dataset = { name = mnist-default, limit = {{digits}} }
          search { method = grid, space { learning-rate = [0.001, 0.003] } }
          cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = {{maxEpochs}}, steps-per-epoch = {{steps}}, batch-size = 32, hidden = 16 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
        }]
        """;

    [Fact]
    public async Task Should_share_a_sweep_between_two_workers_and_give_what_one_node_gives()
    {
        var spec = SpecOf("shared", maxEpochs: 2, steps: 3);
        var clustered = _dir.File("clustered");
        using var nodes = await ClusterNodes.StartAsync(clustered);
        var (first, a) = nodes.StartWorker();
        var (_, b) = nodes.StartWorker();
        await nodes.WaitForWorkersAsync(a, b);

        var submitted = await nodes.Coordinator.Http.PostAsync("/sweeps", new StringContent(spec, Encoding.UTF8));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        await nodes.WaitForStateAsync("shared", SweepStates.Completed);
        Assert.Contains($"trained on {a}", nodes.Coordinator.Output);
        Assert.Contains($"trained on {b}", nodes.Coordinator.Output);
        Assert.Equal(ExitCodes.Success, await first.TerminateAsync()); // SIGTERM: the worker leaves and exits 0

        var single = _dir.File("single");
        File.WriteAllText(_dir.File("shared.hocon"), spec);
        using var run = ServiceProcess.StartProgram(0, "run", _dir.File("shared.hocon"), "--results", single);
        Assert.Equal(0, await run.WaitForExitAsync());

        var trials = Directory.GetDirectories(Path.Combine(single, "shared", "trials")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(5, trials.Count); // 2 configs × 2 folds and the final retrain
        Assert.Equal(trials, Directory.GetDirectories(Path.Combine(clustered, "shared", "trials")).Select(Path.GetFileName).Order().ToList());
        foreach (var trial in trials)
            Assert.Equal(MetricsWithoutSeconds(Path.Combine(single, "shared", "trials", trial!)), MetricsWithoutSeconds(Path.Combine(clustered, "shared", "trials", trial!)));
        Assert.Equal(File.ReadAllText(Path.Combine(single, "shared", "leaderboard.csv")), File.ReadAllText(Path.Combine(clustered, "shared", "leaderboard.csv")));
    }

    [Fact]
    public async Task Should_resume_the_trial_folds_of_a_killed_worker_on_a_worker_that_joined_late()
    {
        // Epochs of 25 steps (2,000 digits) for 8 epochs: the doomed worker is still training when it is killed.
        var spec = SpecOf("survives", maxEpochs: 8, steps: 25, digits: 2000);
        var results = _dir.File("results");
        using var nodes = await ClusterNodes.StartAsync(results);
        var (doomed, a) = nodes.StartWorker(slots: 2);
        await nodes.WaitForWorkersAsync(a);
        var submitted = await nodes.Coordinator.Http.PostAsync("/sweeps", new StringContent(spec, Encoding.UTF8));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        await nodes.WaitForOutputAsync($"epoch 2 trained on {a}");
        doomed.KillHard();
        var (_, b) = nodes.StartWorker();
        await nodes.WaitForWorkersAsync(b);

        await nodes.WaitForStateAsync("survives", SweepStates.Completed);
        Assert.Contains($"node {a} lost", nodes.Coordinator.Output);
        Assert.Contains($"resumed on {b}", nodes.Coordinator.Output);
        Assert.Contains($"trained on {b}", nodes.Coordinator.Output);

        File.WriteAllText(_dir.File("survives.hocon"), spec);
        var sweep = SpecLoader.LoadFile(_dir.File("survives.hocon"), DatasetFacts.SpecContext()).Sweeps.Single();
        var journal = await SweepJournal.ReadAsync(results, SweepSupervisor.PersistenceIdOf(sweep));
        var ended = journal.OfType<SweepEvents.TrialEnded>().GroupBy(e => new TrialKey(e.ConfigId, e.Fold)).ToList();
        Assert.Equal(5, ended.Count);
        Assert.All(ended, group => Assert.Single(group));
        Assert.All(ended, group => Assert.Equal(TrialStatus.Completed, group.Single().Status));
        // Handed to the killed worker, then again to the late one (resumed from what reached the coordinator: see resumes-after-epoch).
        var assigned = journal.OfType<SweepEvents.TrialAssigned>().ToList();
        Assert.Contains(assigned, r => r.Node == b && assigned.Any(e => e.Node == a && (e.ConfigId, e.Fold) == (r.ConfigId, r.Fold)));
    }

    [Fact]
    public async Task Should_finish_a_sweep_whose_coordinator_was_killed_and_restarted_with_every_trial_fold_ended_once_and_its_nodes_kept()
    {
        var spec = SpecOf("restarted", maxEpochs: 4, steps: 25);
        File.WriteAllText(_dir.File("restarted.hocon"), spec);
        var sweep = SpecLoader.LoadFile(_dir.File("restarted.hocon"), DatasetFacts.SpecContext()).Sweeps.Single();
        var persistenceId = SweepSupervisor.PersistenceIdOf(sweep);
        var results = _dir.File("results");
        using var nodes = await ClusterNodes.StartAsync(results); // --local-slots 0: every epoch is trained on the worker
        var (worker, node) = nodes.StartWorker();
        await nodes.WaitForWorkersAsync(node);
        var submitted = await nodes.Coordinator.Http.PostAsync("/sweeps", new StringContent(spec, Encoding.UTF8));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        await Eventually.Async(() => Task.FromResult(JournalRows(results, persistenceId, "epoch-recorded/1") >= 3),
            TimeSpan.FromMinutes(5), () => $"three epochs were never journalled:\n{nodes.Coordinator.Output}");
        Assert.Equal(0, JournalRows(results, persistenceId, "sweep-ended/1"));
        await nodes.KillAndRestartCoordinatorAsync();

        await nodes.WaitForStateAsync("restarted", SweepStates.Completed);
        Assert.False(worker.HasExited); // the same worker process: it rejoined by itself
        Assert.Contains("Lost the cluster; joining", worker.Output);

        var journal = await SweepJournal.ReadAsync(results, persistenceId);
        var ended = journal.Select((e, i) => (Event: e as SweepEvents.TrialEnded, Index: i)).Where(x => x.Event is not null).ToList();
        Assert.Equal(5, ended.Count); // 2 configs × 2 folds and the final retrain, each ended once
        Assert.Equal(5, ended.Select(x => (x.Event!.ConfigId, x.Event.Fold)).Distinct().Count());
        Assert.All(ended, x => Assert.Equal(TrialStatus.Completed, x.Event!.Status));
        foreach (var (end, index) in ended)
            Assert.DoesNotContain(journal.Skip(index + 1), e => e is SweepEvents.TrialStarted s && (s.ConfigId, s.Fold) == (end!.ConfigId, end.Fold));
        Assert.Equal(SweepStates.Completed, Assert.Single(journal.OfType<SweepEvents.SweepEnded>()).State);
        var assigned = journal.OfType<SweepEvents.TrialAssigned>().ToList();
        Assert.All(assigned, a => Assert.Equal(node, a.Node));
        // Interrupted by the kill (started again by the restarted coordinator): handed to the worker again after the restart.
        var interrupted = journal.OfType<SweepEvents.TrialStarted>().GroupBy(e => (e.ConfigId, e.Fold)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.NotEmpty(interrupted);
        var restartedAt = journal.Select((e, i) => (e, i)).Where(x => x.e is SweepEvents.TrialStarted s && interrupted.Contains((s.ConfigId, s.Fold))).Max(x => x.i);
        Assert.All(interrupted, key => Assert.Contains(journal.Skip(restartedAt), e => e is SweepEvents.TrialAssigned a && (a.ConfigId, a.Fold) == key));

        foreach (var trial in Directory.GetDirectories(Path.Combine(results, "restarted", "trials")))
            Assert.Equal(Enumerable.Range(1, 4), File.ReadAllLines(Path.Combine(trial, "metrics.csv")).Skip(1).Select(line => int.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "restarted", "summary.json")));
        Assert.All(summary.RootElement.GetProperty("leaderboard").EnumerateArray(), row => Assert.Equal(2, row.GetProperty("folds-with-result").GetInt32()));

        // What the status shows came from the journal: the folds that ended before the kill too.
        var status = (await nodes.Coordinator.StatusAsync("restarted"))!.Value;
        var trials = status.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(5, trials.Count);
        Assert.All(trials, t => Assert.Equal(node, t.GetProperty("node").GetString()));
    }

    /// <summary>How many rows of one manifest a sweep's journal holds now (read-only, beside the running coordinator).</summary>
    private static long JournalRows(string results, string persistenceId, string manifest)
    {
        var database = Path.Combine(results, "experiments.db");
        if (!File.Exists(database)) return 0;
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "select count(*) from journal where persistence_id = $id and manifest = $manifest";
        count.Parameters.AddWithValue("$id", persistenceId);
        count.Parameters.AddWithValue("$manifest", manifest);
        try { return (long)count.ExecuteScalar()!; }
        catch (SqliteException) { return 0; } // tables not created yet
    }

    [Fact]
    public async Task Should_refuse_a_worker_with_a_wrong_secret()
    {
        using var nodes = await ClusterNodes.StartAsync(_dir.File("results"), secret: "the right one");
        var (stranger, _) = nodes.StartWorker(secret: "a wrong one");
        Assert.Equal(ExitCodes.InvalidInput, await stranger.WaitForExitAsync());
        Assert.Contains("cluster secret (EXPERIMENTS_CLUSTER_SECRET) does not match", stranger.Output);
        Assert.Empty(await nodes.WorkerNodesAsync());
    }

    [Fact]
    public async Task Should_not_bind_remoting_beyond_loopback_without_a_secret()
    {
        using var coordinator = ServiceProcess.StartProgram(ServiceProcess.FreePort(),
            "serve", "--results", _dir.File("results"), "--cluster-port", ServiceProcess.FreePort().ToString(), "--cluster-host", "0.0.0.0");
        Assert.Equal(ExitCodes.InvalidInput, await coordinator.WaitForExitAsync());
        Assert.Contains("set EXPERIMENTS_CLUSTER_SECRET", coordinator.Output);
    }

    [Fact]
    public async Task Should_give_the_coordinator_a_gan_trial_folder_with_the_sample_grids_and_event_files_one_host_writes()
    {
        var spec = """
            experiments.sweeps = [{
              name = grids
              model = gan
              dataset = { name = mnist-default, limit = 600 }
              search { method = grid, space { g-learning-rate = [0.0002] } }
              cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
              training { max-epochs = 2, steps-per-epoch = 2, batch-size = 32 }
              resources { max-concurrent-trials = 2, threads-per-trial = 1 }
            }]
            """;
        var clustered = _dir.File("clustered");
        using (var nodes = await ClusterNodes.StartAsync(clustered))
        {
            var (_, a) = nodes.StartWorker();
            await nodes.WaitForWorkersAsync(a);
            var submitted = await nodes.Coordinator.Http.PostAsync("/sweeps", new StringContent(spec, Encoding.UTF8));
            Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
            await nodes.WaitForStateAsync("grids", SweepStates.Completed);
            Assert.Contains($"trained on {a}", nodes.Coordinator.Output);
            // The dashboard finds the grids in the coordinator's trial folder, as on one host.
            var page = await nodes.Coordinator.Http.GetAsync("/sweeps/grids/trials/trial-0-fold-0/samples/samples-epoch-002.png");
            Assert.True(page.IsSuccessStatusCode, $"{page.StatusCode}");
        }

        var single = _dir.File("single");
        File.WriteAllText(_dir.File("grids.hocon"), spec);
        using var run = ServiceProcess.StartProgram(0, "run", _dir.File("grids.hocon"), "--results", single);
        Assert.Equal(0, await run.WaitForExitAsync());

        var trials = Directory.GetDirectories(Path.Combine(single, "grids", "trials")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, trials.Count); // 1 config × 2 folds and the final retrain
        foreach (var trial in trials)
        {
            var one = Path.Combine(single, "grids", "trials", trial!);
            var there = Path.Combine(clustered, "grids", "trials", trial!);
            Assert.Equal(FileList(one), FileList(there));
            Assert.Contains("samples-epoch-002.png", FileList(there));
            Assert.Contains(FileList(there), f => f.StartsWith("events.out.tfevents.", StringComparison.Ordinal));
            foreach (var grid in Directory.GetFiles(one, "samples-epoch-*.png"))
                Assert.Equal(File.ReadAllBytes(grid), File.ReadAllBytes(Path.Combine(there, Path.GetFileName(grid))));
            // The event file as it was at the end (the same records; only wall times differ, in fixed-size fields).
            Assert.Equal(new FileInfo(Directory.GetFiles(one, "events.out.tfevents.*").Single()).Length,
                new FileInfo(Directory.GetFiles(there, "events.out.tfevents.*").Single()).Length);
        }
    }

    [Fact]
    public async Task Should_send_a_sweeps_own_idx_files_to_a_worker_that_fetches_them_and_give_what_one_node_gives()
    {
        using (var digits = Experiments.Training.Data.DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, 600)))
        {
            var pixels = digits.Images.mul(255).round().to_type(TorchSharp.torch.ScalarType.Byte).data<byte>().ToArray();
            Directory.CreateDirectory(_dir.File("data"));
            Experiments.Training.Data.IdxFile.Write(_dir.File("data/own-images-idx3-ubyte"), pixels, digits.Count, 28, 28);
            Experiments.Training.Data.IdxFile.Write(_dir.File("data/own-labels-idx1-ubyte"), digits.LabelArray.Select(l => (byte)l).ToArray(), digits.Count);
        }
        var spec = $$"""
            experiments.sweeps = [{
              name = own
              model = cnn
              dataset { images = "{{_dir.File("data/own-images-idx3-ubyte")}}", labels = "{{_dir.File("data/own-labels-idx1-ubyte")}}" }
              search { method = grid, space { learning-rate = [0.001] } }
              cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
              training { max-epochs = 2, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
              resources { max-concurrent-trials = 2, threads-per-trial = 1 }
            }]
            """;
        var clustered = _dir.File("clustered");
        var cache = _dir.File("worker-cache");
        using (var nodes = await ClusterNodes.StartAsync(clustered))
        {
            var (worker, a) = nodes.StartWorker(cache: cache, options: "--fetch-data");
            await nodes.WaitForWorkersAsync(a);
            var submitted = await nodes.Coordinator.Http.PostAsync("/sweeps", new StringContent(spec, Encoding.UTF8));
            Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
            await nodes.WaitForStateAsync("own", SweepStates.Completed);
            Assert.Contains($"trained on {a}", nodes.Coordinator.Output);
            Assert.Contains("Fetched data file", worker.Output);
        }
        // The worker's copies, by hash, are the coordinator's bytes.
        foreach (var name in new[] { "own-images-idx3-ubyte", "own-labels-idx1-ubyte" })
        {
            var copy = Assert.Single(Directory.GetFiles(Path.Combine(cache, "idx"), name, SearchOption.AllDirectories));
            Assert.Equal(File.ReadAllBytes(_dir.File($"data/{name}")), File.ReadAllBytes(copy));
        }

        var single = _dir.File("single");
        File.WriteAllText(_dir.File("own.hocon"), spec);
        using var run = ServiceProcess.StartProgram(0, "run", _dir.File("own.hocon"), "--results", single);
        Assert.Equal(0, await run.WaitForExitAsync());
        var trials = Directory.GetDirectories(Path.Combine(single, "own", "trials")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, trials.Count);
        foreach (var trial in trials)
            Assert.Equal(MetricsWithoutSeconds(Path.Combine(single, "own", "trials", trial!)), MetricsWithoutSeconds(Path.Combine(clustered, "own", "trials", trial!)));
        Assert.Equal(File.ReadAllText(Path.Combine(single, "own", "leaderboard.csv")), File.ReadAllText(Path.Combine(clustered, "own", "leaderboard.csv")));
    }

    /// <summary>A trial folder's files; event files by kind only (their names carry the time, host and process that wrote them).</summary>
    private static List<string> FileList(string trial) =>
        Directory.GetFiles(trial).Select(Path.GetFileName).OfType<string>()
            .Select(f => f.StartsWith("events.out.tfevents.", StringComparison.Ordinal) ? "events.out.tfevents.*" : f).Order(StringComparer.Ordinal).ToList();

    /// <summary>metrics.csv without its last column (seconds: wall time differs from run to run).</summary>
    private static List<string> MetricsWithoutSeconds(string trial) =>
        File.ReadAllLines(Path.Combine(trial, "metrics.csv")).Select(line => line[..line.LastIndexOf(',')]).ToList();

    public void Dispose() => _dir.Dispose();
}
