using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using Experiments.Actors.Trials;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training.Checkpoints;
using Experiments.Tests;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>The coordinator's side of a trial-fold run by a slot: queueing, files in and out, decisions, a lost slot.</summary>
public sealed class RemoteTrialSpecs() : TestKit(TestConfig.Actors), IDisposable
{
    private static readonly TrialKey Key = new(1, 0);
    private readonly TempDir _dir = new();

    private static TrialLaunch Launch => new(Key, new TrialConfig(1, ParameterSet.Empty.With("learning-rate", ParamValue.Of(0.01))), 42, 3, false);

    private static EpochMetrics Epoch(int epoch) => new(epoch, ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        new Dictionary<string, double> { ["val-loss"] = 1.0 / epoch }), 0.5);

    private (IActorRef Trial, Akka.TestKit.TestProbe Queue) Start()
    {
        var queue = CreateTestProbe();
        var trial = ChildActorOf(RemoteTrial.Props("s", "{}", Launch, _dir.Path, "val-loss", queue.Ref));
        queue.ExpectMsg<Enqueue>(e => Assert.Equal(Key, e.Key));
        return (trial, queue);
    }

    /// <summary>A trial-fold handed to a slot with nothing to resume from: offered, then started at once.</summary>
    private (IActorRef Trial, Akka.TestKit.TestProbe Slot, string Work) StartedOnASlot()
    {
        var (trial, _) = Start();
        var slot = CreateTestProbe();
        trial.Tell(new Assigned(slot.Ref, "n1"));
        var work = slot.ExpectMsg<WorkOffered>().WorkId;
        slot.ExpectMsg<StartWork>();
        return (trial, slot, work);
    }

    private static byte[] Checkpoint(string path, int epoch)
    {
        CheckpointFile.Write(path, new CheckpointMeta("cnn", epoch, 10, new Dictionary<string, double>()), new Dictionary<string, byte[]> { ["model"] = new byte[300_000] });
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Should_send_the_slot_its_work_and_last_checkpoint_in_chunks_then_start_it()
    {
        var (trial, _) = Start();
        var bytes = Checkpoint(Path.Combine(_dir.Path, Checkpointer.LastFile), 2);
        var slot = CreateTestProbe();
        trial.Tell(new Assigned(slot.Ref, "n1"));
        var offered = slot.ExpectMsg<WorkOffered>();
        Assert.Equal(Key, offered.Key);
        Assert.Equal(42, offered.Seed);
        var received = new List<byte>();
        for (var i = 0; i < FileChunks.CountOf(bytes.Length); i++)
        {
            var chunk = slot.ExpectMsg<FileChunk>();
            Assert.Equal(i, chunk.Index);
            received.AddRange(chunk.Bytes);
            slot.Reply(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        }
        Assert.Equal(bytes, received.ToArray());
        slot.ExpectMsg<StartWork>(s => Assert.Equal(offered.WorkId, s.WorkId));
    }

    [Fact]
    public void Should_journal_through_the_sweep_every_epoch_and_relay_its_decisions()
    {
        var (trial, _) = Start();
        var slot = CreateTestProbe();
        trial.Tell(new Assigned(slot.Ref, "n1"));
        ExpectMsg<PlacedOn>(p => Assert.Equal((Key, "n1", (int?)null), (p.Key, p.Node, p.ResumesAfter)));
        var work = slot.ExpectMsg<WorkOffered>().WorkId;
        slot.ExpectMsg<StartWork>();
        trial.Tell(new EpochDone(work, Epoch(1)), slot.Ref);
        ExpectMsg<TrialRunnerProtocol.EpochReported>(r => Assert.Equal(1, r.Metrics.Epoch));
        Assert.Equal([1], new TrialFiles(_dir.Path, "val-loss").ReadMetrics().Select(m => m.Epoch));
        trial.Tell(new TrialRunnerProtocol.Stop(Key, TrialStatus.Pruned, "below the median"));
        slot.ExpectMsg<Decision>(d => Assert.Equal(TrialStatus.Pruned, d.StopWith));
        var outcome = new TrialOutcome(Key, TrialStatus.Pruned, 1, 1.0, 1, "below the median");
        trial.Tell(new WorkEnded(work, outcome), slot.Ref);
        ExpectMsg<TrialRunnerProtocol.TrialFinished>(f => Assert.Equal(outcome, f.Outcome));
    }

    [Fact]
    public void Should_install_a_shipped_checkpoint_with_its_sidecar_and_drop_a_damaged_one()
    {
        var (trial, slot, work) = StartedOnASlot();
        var good = Checkpoint(_dir.File("elsewhere.ckpt"), 1);
        Ship(trial, slot, work, good);
        var installed = Path.Combine(_dir.Path, Checkpointer.LastFile);
        Assert.Equal(good, File.ReadAllBytes(installed));
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(installed).Health);

        var damaged = Checkpoint(_dir.File("elsewhere.ckpt"), 2);
        damaged[1000] ^= 0xff;
        Ship(trial, slot, work, damaged);
        Assert.Equal(good, File.ReadAllBytes(installed));
    }

    private void Ship(IActorRef trial, Akka.TestKit.TestProbe slot, string work, byte[] bytes, string file = Checkpointer.LastFile)
    {
        for (var i = 0; i < FileChunks.CountOf(bytes.Length); i++)
        {
            trial.Tell(new FileChunk(work, file, i, FileChunks.CountOf(bytes.Length), FileChunks.Chunk(bytes, i)), slot.Ref);
            slot.ExpectMsg<ChunkAck>(a => Assert.Equal(i, a.Index));
        }
    }

    [Fact]
    public void Should_send_a_window_of_chunks_before_the_first_acknowledgement()
    {
        var (trial, _) = Start();
        var bytes = new byte[(FileChunks.Window + 2) * FileChunks.ChunkSize];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(_dir.Path, Checkpointer.LastFile), bytes);
        var slot = CreateTestProbe();
        trial.Tell(new Assigned(slot.Ref, "n1"));
        slot.ExpectMsg<WorkOffered>();
        var window = Enumerable.Range(0, FileChunks.Window).Select(_ => slot.ExpectMsg<FileChunk>()).ToList();
        Assert.Equal(Enumerable.Range(0, FileChunks.Window), window.Select(c => c.Index));
        var received = window.SelectMany(c => c.Bytes).ToList();
        foreach (var chunk in window) slot.Reply(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        for (var i = FileChunks.Window; i < FileChunks.Window + 2; i++)
        {
            var chunk = slot.ExpectMsg<FileChunk>(c => Assert.Equal(i, c.Index));
            received.AddRange(chunk.Bytes);
            slot.Reply(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        }
        Assert.Equal(bytes, received.ToArray());
        slot.ExpectMsg<StartWork>();
    }

    [Fact]
    public void Should_install_shipped_sample_grids_and_event_files_and_refuse_any_other_name()
    {
        var (trial, slot, work) = StartedOnASlot();
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3];
        foreach (var name in new[] { "samples-epoch-002.png", "events.out.tfevents.1764700000.worker-7.4242.0" })
        {
            Ship(trial, slot, work, png, name);
            Assert.Equal(png, File.ReadAllBytes(Path.Combine(_dir.Path, name)));
        }
        var outside = _dir.File("outside");
        Directory.CreateDirectory(outside);
        foreach (var name in new[] { "../outside/samples-epoch-001.png", "sub/last.ckpt", Path.Combine(outside, "last.ckpt"), "params.json", "metrics.csv", "..", "x.png" })
            Ship(trial, slot, work, png, name);
        Assert.Empty(Directory.GetFiles(outside));
        Assert.Equal(["events.out.tfevents.1764700000.worker-7.4242.0", "params.json", "samples-epoch-002.png"],
            Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.NotEqual(png, File.ReadAllBytes(Path.Combine(_dir.Path, "params.json")));
    }

    [Fact]
    public void Should_copy_best_from_the_last_checkpoint_just_installed_when_told_they_are_the_same_bytes()
    {
        var (trial, slot, work) = StartedOnASlot();
        var good = Checkpoint(_dir.File("elsewhere.ckpt"), 1);
        Ship(trial, slot, work, good);
        trial.Tell(new FileCopy(work, Checkpointer.BestFile, Checkpointer.LastFile), slot.Ref);
        slot.ExpectMsg<ChunkAck>(a => Assert.Equal(Checkpointer.BestFile, a.File));
        var best = Path.Combine(_dir.Path, Checkpointer.BestFile);
        Assert.Equal(good, File.ReadAllBytes(best));
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(best).Health);
    }

    [Fact]
    public void Should_queue_itself_again_when_its_slot_dies_and_tell_its_sweep_each_node_it_is_handed_to()
    {
        var (trial, queue) = Start();
        var slot = CreateTestProbe();
        trial.Tell(new Assigned(slot.Ref, "n1"));
        slot.ExpectMsg<WorkOffered>();
        ExpectMsg<PlacedOn>(p => Assert.Equal("n1", p.Node));
        Checkpoint(Path.Combine(_dir.Path, Checkpointer.LastFile), 2); // what reached the coordinator before the node died
        Sys.Stop(slot.Ref);
        queue.ExpectMsg<Enqueue>(e => Assert.Equal(Key, e.Key));
        ExpectMsg<BackInQueue>(b => Assert.Equal(Key, b.Key));
        var next = CreateTestProbe();
        trial.Tell(new Assigned(next.Ref, "n2"));
        ExpectMsg<PlacedOn>(p => Assert.Equal((Key, "n2", (int?)2), (p.Key, p.Node, p.ResumesAfter)));
        next.ExpectMsg<WorkOffered>();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
