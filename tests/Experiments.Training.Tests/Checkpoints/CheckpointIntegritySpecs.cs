using Experiments.Training.Checkpoints;
using static Experiments.Training.Tests.Checkpoints.CheckpointSamples;

namespace Experiments.Training.Tests.Checkpoints;

/// <summary>Checking a checkpoint against its sidecar and its own trailer, and repairing what a kill leaves.</summary>
public sealed class CheckpointIntegritySpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private string Last => _dir.File("last.ckpt");

    [Fact]
    public void Should_judge_a_freshly_written_checkpoint_ok()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));

        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(Last).Health);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(200_000)]
    public void Should_judge_a_checkpoint_spanning_many_reads_by_its_trailer_wherever_the_trailer_falls(int padding)
    {
        var sections = Sections(7);
        sections["padding"] = new byte[(1 << 17) + padding];
        CheckpointFile.Write(Last, Meta(1), sections);
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(Last).Health);

        var bytes = File.ReadAllBytes(Last);
        bytes[^1] ^= 1; // the trailer's last byte
        File.WriteAllBytes(Last, bytes);
        Assert.Equal(CheckpointHealth.Damaged, CheckpointIntegrity.Check(Last).Health);
    }

    [Fact]
    public void Should_adopt_a_received_checkpoint_with_a_sidecar_of_its_own_digest()
    {
        var received = _dir.File("last.ckpt.upload");
        CheckpointFile.Write(received, Meta(2), Sections(2));
        File.Delete(CheckpointSidecar.PathOf(received));
        var expected = WholeFileDigest(received);

        var digest = CheckpointIntegrity.Adopt(received, Last);

        Assert.False(File.Exists(received));
        Assert.Equal(expected, Hex(digest));
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(Last).Health);
    }

    [Fact]
    public void Should_refuse_to_adopt_a_damaged_checkpoint_and_keep_the_one_in_place()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        var before = File.ReadAllBytes(Last);
        var received = _dir.File("last.ckpt.upload");
        CheckpointFile.Write(received, Meta(2), Sections(2));
        FlipAByte(received);

        var error = Assert.Throws<CheckpointException>(() => CheckpointIntegrity.Adopt(received, Last));

        Assert.Contains("damaged in transit", error.Message);
        Assert.False(File.Exists(received));
        Assert.Equal(before, File.ReadAllBytes(Last));
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(Last).Health);
    }

    [Fact]
    public void Should_copy_an_adopted_checkpoint_with_the_same_digest_and_a_sidecar_that_verifies()
    {
        var received = _dir.File("last.ckpt.upload");
        CheckpointFile.Write(received, Meta(3), Sections(3));
        var digest = CheckpointIntegrity.Adopt(received, Last);
        var best = _dir.File("best.ckpt");

        CheckpointIntegrity.AdoptCopy(Last, digest, best);

        Assert.Equal(File.ReadAllBytes(Last), File.ReadAllBytes(best));
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(best).Health);
    }

    [Fact]
    public void Should_judge_a_legacy_sidecar_legacy_not_damaged()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        WriteLegacySidecar(Last);

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.LegacySidecar, check.Health);
        Assert.False(check.IsDamaged);
    }

    [Fact]
    public void Should_judge_a_checkpoint_with_a_flipped_byte_damaged()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        FlipAByte(Last);

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.Damaged, check.Health);
        Assert.Contains("trailer", check.Problem);
    }

    [Fact]
    public void Should_judge_a_truncated_checkpoint_damaged()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        File.WriteAllBytes(Last, File.ReadAllBytes(Last)[..20]);

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.Damaged, check.Health);
        Assert.Contains("truncated", check.Problem);
    }

    [Fact]
    public void Should_judge_a_checkpoint_without_sidecar_usable_and_say_the_sidecar_is_missing()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        File.Delete(Last + ".sha256");

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.MissingSidecar, check.Health);
        Assert.False(check.IsDamaged);
    }

    [Fact]
    public void Should_judge_a_sidecar_that_names_another_file_damaged()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        File.WriteAllText(Last + ".sha256", $"{WholeFileDigest(Last)}  best.ckpt\n");

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.SidecarDisagrees, check.Health);
        Assert.Contains("best.ckpt", check.Problem);
    }

    /// <summary>
    /// A kill between the checkpoint's rename and its sidecar's: the new file under the old sidecar
    /// (and the new sidecar's temporary, never renamed). Written for real, then the old sidecar put back.
    /// </summary>
    private void LeaveTheStateOfAKillBetweenTheTwoRenames(string path, int epoch)
    {
        var oldSidecar = File.ReadAllText(path + ".sha256");
        var newSidecar = path + ".sha256.0123456789abcdef0123456789abcdef.tmp";
        CheckpointFile.Write(path, Meta(epoch), Sections((byte)epoch));
        File.Move(path + ".sha256", newSidecar);
        File.WriteAllText(path + ".sha256", oldSidecar);
    }

    [Fact]
    public void Should_judge_the_pair_a_kill_between_the_renames_leaves_as_a_stale_sidecar_of_a_sound_file()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        LeaveTheStateOfAKillBetweenTheTwoRenames(Last, 2);

        var check = CheckpointIntegrity.Check(Last);

        Assert.Equal(CheckpointHealth.SidecarDisagrees, check.Health);
        Assert.Contains("stale", check.Problem);
    }

    [Fact]
    public void Should_repair_the_sidecar_a_kill_between_the_renames_left_stale()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        LeaveTheStateOfAKillBetweenTheTwoRenames(Last, 2);

        var found = CheckpointIntegrity.Repair(Last);

        Assert.Equal(CheckpointHealth.SidecarDisagrees, found.Health);
        Assert.Equal($"{WholeFileDigest(Last)}  last.ckpt\n", File.ReadAllText(Last + ".sha256"));
        Assert.Equal(2, CheckpointFile.Read(Last).Meta.Epoch);
        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_write_the_sidecar_of_a_checkpoint_killed_before_its_first_sidecar()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        File.Delete(Last + ".sha256");

        Assert.Equal(CheckpointHealth.MissingSidecar, CheckpointIntegrity.Repair(Last).Health);
        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Check(Last).Health);
    }

    [Fact]
    public void Should_leave_the_sidecar_of_a_damaged_checkpoint_alone_as_evidence()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        var sidecar = File.ReadAllText(Last + ".sha256");
        FlipAByte(Last);

        Assert.Equal(CheckpointHealth.Damaged, CheckpointIntegrity.Repair(Last).Health);
        Assert.Equal(sidecar, File.ReadAllText(Last + ".sha256"));
    }

    [Fact]
    public void Should_remove_the_temporary_a_kill_left_before_the_checkpoints_rename()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        var orphan = Last + ".fedcba9876543210fedcba9876543210.tmp";
        File.WriteAllBytes(orphan, [1, 2, 3]);

        Assert.Equal(CheckpointHealth.Ok, CheckpointIntegrity.Repair(Last).Health);
        Assert.False(File.Exists(orphan));
    }

    public void Dispose() => _dir.Dispose();
}
