using System.Diagnostics;
using System.Security.Cryptography;
using Experiments.Training.Checkpoints;
using static Experiments.Training.Tests.Checkpoints.CheckpointSamples;

namespace Experiments.Training.Tests.Checkpoints;

/// <summary>The checkpoint file and its <c>.sha256</c> sidecar, without torch: sections are plain bytes.</summary>
public sealed class CheckpointFileSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private string Last => _dir.File("last.ckpt");
    private string Best => _dir.File("best.ckpt");

    private static (int ExitCode, string Output) Sha256SumCheck(string folder, string sidecar)
    {
        var start = new ProcessStartInfo("sha256sum", ["-c", sidecar])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void Should_write_a_sidecar_that_sha256sum_accepts_from_inside_the_checkpoints_folder()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));

        var (exitCode, output) = Sha256SumCheck(_dir.Path, "last.ckpt.sha256");

        Assert.Equal(0, exitCode);
        Assert.Equal("last.ckpt: OK\n", output);
    }

    [Fact]
    public void Should_put_the_digest_of_the_whole_file_as_it_lies_on_disk_in_the_sidecar()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));

        Assert.Equal($"{WholeFileDigest(Last)}  last.ckpt\n", File.ReadAllText(Last + ".sha256"));
    }

    [Fact]
    public void Should_keep_the_trailer_so_that_the_file_verifies_itself_without_its_sidecar()
    {
        CheckpointFile.Write(Last, Meta(3), Sections(3));
        File.Delete(Last + ".sha256");

        Assert.Equal(3, CheckpointFile.Read(Last).Meta.Epoch);
        Assert.Equal(Hex(SHA256.HashData(File.ReadAllBytes(Last)[..^32])), TrailerDigest(Last));
    }

    [Fact]
    public void Should_copy_a_checkpoint_with_a_sidecar_that_names_and_digests_the_copy()
    {
        CheckpointFile.Write(Last, Meta(2), Sections(2));

        CheckpointFile.Copy(Last, Best);

        Assert.Equal(File.ReadAllBytes(Last), File.ReadAllBytes(Best));
        Assert.Equal($"{WholeFileDigest(Best)}  best.ckpt\n", File.ReadAllText(Best + ".sha256"));
        Assert.Equal(0, Sha256SumCheck(_dir.Path, "best.ckpt.sha256").ExitCode);
        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_read_a_checkpoint_whose_sidecar_is_in_the_legacy_format()
    {
        CheckpointFile.Write(Last, Meta(4), Sections(4));
        WriteLegacySidecar(Last);

        Assert.Equal(4, CheckpointFile.Read(Last).Meta.Epoch);
    }

    [Fact]
    public void Should_rewrite_a_legacy_sidecar_in_sha256sum_format_when_the_file_is_next_written()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        WriteLegacySidecar(Last);
        CheckpointFile.Write(Last, Meta(2), Sections(2));

        Assert.Equal($"{WholeFileDigest(Last)}  last.ckpt\n", File.ReadAllText(Last + ".sha256"));
    }

    [Fact]
    public void Should_give_the_copy_a_sha256sum_sidecar_when_the_source_has_a_legacy_one()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        WriteLegacySidecar(Last);

        CheckpointFile.Copy(Last, Best);

        Assert.Equal($"{WholeFileDigest(Best)}  best.ckpt\n", File.ReadAllText(Best + ".sha256"));
    }

    [Fact]
    public void Should_refuse_to_read_a_checkpoint_whose_sidecar_holds_another_digest()
    {
        CheckpointFile.Write(Last, Meta(1), Sections(1));
        File.WriteAllText(Last + ".sha256", $"{new string('0', 64)}  last.ckpt\n");

        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(Last));
        Assert.Contains("last.ckpt.sha256", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
