using Experiments.Core.Trials;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Tests.Support;
using Experiments.Actors.Trials;
using Experiments.Training.Checkpoints;
using Xunit.Abstractions;

namespace Experiments.Actors.Tests.Trials;

public sealed class CheckpointerSpecs(ITestOutputHelper output) : TestKit(TestConfig.Actors, output: output)
{
    private readonly TempDir _dir = new();

    private static CheckpointMeta Meta(int epoch) =>
        new("cnn", epoch, epoch * 10L, new Dictionary<string, double> { ["val-loss"] = 0.25 * epoch, ["val-accuracy"] = 0.5 });

    private static Dictionary<string, byte[]> Sections(byte seed) => new()
    {
        ["model"] = Enumerable.Range(0, 300).Select(i => (byte)(i * seed)).ToArray(),
        ["optimizer"] = [seed, 2, 3],
        ["rng"] = [],
    };

    private void Save(IActorRef checkpointer, int epoch, bool asLast, bool asBest)
    {
        checkpointer.Tell(new CheckpointerProtocol.Save(Meta(epoch), Sections((byte)epoch), asLast, asBest));
        Assert.Equal(epoch, ExpectMsg<CheckpointerProtocol.Saved>(TestConfig.Patience).Epoch);
    }

    private CheckpointerProtocol.Last GetLast(IActorRef checkpointer)
    {
        checkpointer.Tell(new CheckpointerProtocol.GetLast());
        return ExpectMsg<CheckpointerProtocol.Last>(TestConfig.Patience);
    }

    [Fact]
    public void Should_give_back_the_meta_and_sections_of_the_last_save()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(checkpointer, 1, asLast: true, asBest: false);
        Save(checkpointer, 2, asLast: true, asBest: false);

        var last = GetLast(checkpointer);

        Assert.NotNull(last.Meta);
        Assert.Equal(("cnn", 2, 20L), (last.Meta.Model, last.Meta.Epoch, last.Meta.Step));
        Assert.Equal(Meta(2).Metrics.OrderBy(kv => kv.Key), last.Meta.Metrics.OrderBy(kv => kv.Key));
        Assert.NotNull(last.Sections);
        Assert.Equal(Sections(2).Keys.Order(), last.Sections.Keys.Order());
        Assert.All(Sections(2), kv => Assert.Equal(kv.Value, last.Sections[kv.Key]));
    }

    [Fact]
    public void Should_write_best_ckpt_only_when_asked_to_save_as_best()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));

        Save(checkpointer, 1, asLast: true, asBest: false);
        Assert.False(File.Exists(_dir.File(Checkpointer.BestFile)));

        Save(checkpointer, 2, asLast: false, asBest: true);
        Assert.Equal(2, CheckpointFile.Read(_dir.File(Checkpointer.BestFile)).Meta.Epoch);
        Assert.Equal(1, CheckpointFile.Read(_dir.File(Checkpointer.LastFile)).Meta.Epoch);
        Assert.True(File.Exists(_dir.File(Checkpointer.BestFile + ".sha256")));
    }

    [Fact]
    public void Should_write_the_same_state_as_last_and_best_with_each_its_own_digest()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));

        Save(checkpointer, 3, asLast: true, asBest: true);

        Assert.Equal(File.ReadAllBytes(_dir.File(Checkpointer.LastFile)), File.ReadAllBytes(_dir.File(Checkpointer.BestFile)));
        Assert.Equal(3, CheckpointFile.Read(_dir.File(Checkpointer.BestFile)).Meta.Epoch);
        Assert.EndsWith($"  {Checkpointer.BestFile}\n", File.ReadAllText(_dir.File(Checkpointer.BestFile + ".sha256")));
        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp"));
    }

    [Fact]
    public void Should_answer_nothing_to_resume_from_when_there_is_no_checkpoint()
    {
        var last = GetLast(Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0))));
        Assert.Equal(new CheckpointerProtocol.Last(null, null), last);
    }

    [Fact]
    public void Should_answer_nothing_to_resume_from_when_last_ckpt_is_damaged()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(checkpointer, 1, asLast: true, asBest: false);
        var path = _dir.File(Checkpointer.LastFile);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        Assert.Equal(new CheckpointerProtocol.Last(null, null), GetLast(checkpointer));
    }

    [Fact]
    public void Should_answer_nothing_to_resume_from_when_last_ckpt_is_truncated()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(checkpointer, 1, asLast: true, asBest: false);
        var path = _dir.File(Checkpointer.LastFile);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);

        Assert.Equal(new CheckpointerProtocol.Last(null, null), GetLast(checkpointer));
    }

    [Fact]
    public void Should_answer_save_failed_with_the_reason_when_the_checkpoint_cannot_be_written()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        // A real failing write: the checkpoint's path is taken by a directory, so the rename onto it fails.
        Directory.CreateDirectory(_dir.File(Checkpointer.LastFile));

        checkpointer.Tell(new CheckpointerProtocol.Save(Meta(1), Sections(1), AsLast: true, AsBest: true));

        var failed = ExpectMsg<CheckpointerProtocol.SaveFailed>(TestConfig.Patience);
        Assert.Equal(1, failed.Epoch);
        Assert.Contains(Checkpointer.LastFile, failed.Reason);
        // The checkpointer carries on: the next save that can be written is written.
        Directory.Delete(_dir.File(Checkpointer.LastFile));
        Save(checkpointer, 2, asLast: true, asBest: false);
        Assert.Equal(2, GetLast(checkpointer).Meta?.Epoch);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
