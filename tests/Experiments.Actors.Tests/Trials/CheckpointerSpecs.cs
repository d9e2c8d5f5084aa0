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

    private static string WholeFileDigest(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// The state a kill leaves between a checkpoint's rename and its sidecar's: the file of the new
    /// epoch under the sidecar of the old one. Built by saving for real and putting the old sidecar back.
    /// </summary>
    private void KillBetweenTheRenames(string file, Action save)
    {
        var oldSidecar = File.ReadAllText(_dir.File(file + ".sha256"));
        save();
        File.WriteAllText(_dir.File(file + ".sha256"), oldSidecar);
    }

    [Fact]
    public void Should_repair_on_start_a_best_ckpt_sidecar_that_a_kill_left_holding_an_older_best_ckpts_digest()
    {
        var first = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(first, 1, asLast: true, asBest: true);
        KillBetweenTheRenames(Checkpointer.BestFile, () => Save(first, 2, asLast: true, asBest: true));
        Sys.Stop(first);

        // The host restarts: a new checkpointer on the same folder, before the trial writes anything.
        var restarted = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Assert.Equal(2, GetLast(restarted).Meta?.Epoch);

        var best = _dir.File(Checkpointer.BestFile);
        Assert.Equal($"{WholeFileDigest(best)}  {Checkpointer.BestFile}\n", File.ReadAllText(best + ".sha256"));
        Assert.Equal(2, CheckpointFile.Read(best).Meta.Epoch);
    }

    [Fact]
    public void Should_resume_from_a_last_ckpt_whose_sidecar_a_kill_left_stale_rather_than_start_over()
    {
        var first = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(first, 1, asLast: true, asBest: false);
        KillBetweenTheRenames(Checkpointer.LastFile, () => Save(first, 2, asLast: true, asBest: false));
        Sys.Stop(first);

        var last = GetLast(Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0))));

        Assert.Equal(2, last.Meta?.Epoch);
        var path = _dir.File(Checkpointer.LastFile);
        Assert.Equal($"{WholeFileDigest(path)}  {Checkpointer.LastFile}\n", File.ReadAllText(path + ".sha256"));
    }

    [Fact]
    public void Should_resume_from_a_last_ckpt_with_a_legacy_sidecar()
    {
        var checkpointer = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(checkpointer, 1, asLast: true, asBest: false);
        var path = _dir.File(Checkpointer.LastFile);
        // The sidecar older versions wrote: the digest of the content, which is the file's trailer.
        File.WriteAllText(path + ".sha256", $"{Convert.ToHexStringLower(File.ReadAllBytes(path)[^32..])}  {Checkpointer.LastFile}\n");

        Assert.Equal(1, GetLast(checkpointer).Meta?.Epoch);
    }

    [Fact]
    public void Should_remove_on_start_the_temporaries_that_killed_writes_left()
    {
        var first = Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0)));
        Save(first, 1, asLast: true, asBest: true);
        Sys.Stop(first);
        File.WriteAllBytes(_dir.File(Checkpointer.LastFile + ".0123456789abcdef0123456789abcdef.tmp"), [1, 2, 3]);
        File.WriteAllBytes(_dir.File(Checkpointer.BestFile + ".sha256.0123456789abcdef0123456789abcdef.tmp"), [4]);

        GetLast(Sys.ActorOf(Checkpointer.Props(_dir.Path, "test-sweep", new TrialKey(0, 0))));

        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
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
