using System.Text;
using System.Text.RegularExpressions;

namespace Experiments.Training.Checkpoints;

/// <summary>
/// <c>NAME.sha256</c> beside a checkpoint: one sha256sum line, <c>&lt;64 hex&gt;  NAME\n</c>, the
/// digest of the whole file as it lies on disk, so <c>sha256sum -c NAME.sha256</c> checks it from
/// the checkpoint's folder. Older versions wrote the digest of the content without its trailer
/// (the trailer itself): such legacy sidecars are accepted, and replaced when the file is next written.
/// </summary>
public static partial class CheckpointSidecar
{
    /// <summary>No sidecar we write is longer; a longer file is not one.</summary>
    private const int MaxLength = 4096;

    public static string PathOf(string checkpoint) => checkpoint + ".sha256";

    public static string Line(byte[] fileDigest, string checkpoint) =>
        $"{Convert.ToHexStringLower(fileDigest)}  {Path.GetFileName(checkpoint)}\n";

    /// <summary>Written atomically, after the checkpoint it describes.</summary>
    public static void Write(string checkpoint, byte[] fileDigest) =>
        AtomicFile.Write(PathOf(checkpoint), Encoding.ASCII.GetBytes(Line(fileDigest, checkpoint)));

    /// <summary>
    /// How the sidecar of a checkpoint whose trailer verifies stands to it, given the digests of
    /// the whole file and of its content (the trailer); the problem says why in one sentence.
    /// </summary>
    public static (CheckpointHealth Health, string? Problem) Judge(string checkpoint, byte[] fileDigest, byte[] trailer)
    {
        var sidecarPath = PathOf(checkpoint);
        var sidecar = Path.GetFileName(sidecarPath);
        var name = Path.GetFileName(checkpoint);
        if (!File.Exists(sidecarPath)) return (CheckpointHealth.MissingSidecar, $"no {sidecar} beside it (the checkpoint verifies by its own trailer)");
        var length = new FileInfo(sidecarPath).Length;
        var match = length <= MaxLength ? SumLine().Match(File.ReadAllText(sidecarPath, Encoding.ASCII)) : Match.Empty;
        if (!match.Success) return (CheckpointHealth.SidecarDisagrees, $"{sidecar} is not a sha256sum line");
        var named = match.Groups["name"].Value;
        if (named != name) return (CheckpointHealth.SidecarDisagrees, $"{sidecar} names {named}, not {name}");
        var digest = Convert.FromHexString(match.Groups["digest"].Value);
        if (digest.AsSpan().SequenceEqual(fileDigest)) return (CheckpointHealth.Ok, null);
        if (digest.AsSpan().SequenceEqual(trailer))
            return (CheckpointHealth.LegacySidecar, $"{sidecar} is a legacy one (the digest of the content without its trailer); it is rewritten in sha256sum format when the checkpoint is next written");
        return (CheckpointHealth.SidecarDisagrees,
            $"{sidecar} holds another digest, though the checkpoint verifies by its own trailer: the sidecar is stale (left by an interrupted write) or was altered");
    }

    // sha256sum's own line: digest, a space, a space (text) or '*' (binary), the name.
    [GeneratedRegex(@"\A(?<digest>[0-9a-fA-F]{64}) [ *](?<name>[^\n]+)\n?\z")]
    private static partial Regex SumLine();
}
