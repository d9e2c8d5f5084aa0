using System.Security.Cryptography;

namespace Experiments.Training.Checkpoints;

public enum CheckpointHealth
{
    /// <summary>The trailer verifies and the sidecar holds the whole file's digest.</summary>
    Ok,
    /// <summary>Sound, with a sidecar of the old format (the trailer's digest): accepted.</summary>
    LegacySidecar,
    /// <summary>Sound, but no sidecar beside it.</summary>
    MissingSidecar,
    /// <summary>Sound by its trailer, but its sidecar is unreadable, names another file or holds another digest.</summary>
    SidecarDisagrees,
    /// <summary>Missing, truncated, not a checkpoint, or its content does not match its trailer.</summary>
    Damaged,
}

/// <summary>What checking one checkpoint found; <see cref="Problem"/> is one sentence, null when Ok.</summary>
public sealed record CheckpointCheck(string Path, CheckpointHealth Health, string? Problem)
{
    /// <summary>Damaged, or a sidecar that would make <c>sha256sum -c</c> fail.</summary>
    public bool IsDamaged => Health is CheckpointHealth.Damaged or CheckpointHealth.SidecarDisagrees;
}

/// <summary>
/// Checks a checkpoint against its own trailer and its sidecar by streaming it (no torch, no copy
/// in memory), and repairs what an interrupted write leaves. The trailer is the authority: a file
/// whose content matches it is sound whatever its sidecar says, so a sidecar that disagrees with a
/// sound file is stale, and rewriting it from the file is safe.
/// </summary>
public static class CheckpointIntegrity
{
    private const int BufferSize = 1 << 16;

    public static CheckpointCheck Check(string path)
    {
        var (check, _) = Inspect(path);
        return check;
    }

    /// <summary>
    /// For the checkpoint's sole writer, before it writes (on start and resume): removes the
    /// temporaries killed writes left and rewrites a missing or disagreeing sidecar of a sound
    /// checkpoint. A damaged checkpoint and its sidecar stay as they are. Returns what it found.
    /// </summary>
    public static CheckpointCheck Repair(string path)
    {
        AtomicFile.RemoveTemporaries(path);
        AtomicFile.RemoveTemporaries(CheckpointSidecar.PathOf(path));
        var (check, fileDigest) = Inspect(path);
        if (check.Health is CheckpointHealth.MissingSidecar or CheckpointHealth.SidecarDisagrees)
            CheckpointSidecar.Write(path, fileDigest!);
        return check;
    }

    /// <summary>
    /// For a checkpoint received whole at <paramref name="received"/> (a temporary beside
    /// <paramref name="path"/>): checked against its trailer in one streamed pass, then renamed over
    /// <paramref name="path"/> with a sidecar of the digest that pass computed. A damaged file is
    /// deleted and nothing replaced. Returns the whole file's digest, for a copy of the same bytes.
    /// </summary>
    public static byte[] Adopt(string received, string path)
    {
        var (check, fileDigest) = Inspect(received, judgeSidecar: false);
        if (check.Health == CheckpointHealth.Damaged)
        {
            File.Delete(received);
            throw new CheckpointException($"damaged in transit: {check.Problem}");
        }
        AtomicFile.RemoveTemporaries(path);
        AtomicFile.RemoveTemporaries(CheckpointSidecar.PathOf(path));
        File.Move(received, path, overwrite: true);
        CheckpointSidecar.Write(path, fileDigest!);
        return fileDigest!;
    }

    /// <summary>
    /// <paramref name="path"/> gets the bytes of <paramref name="source"/>, a checkpoint adopted just
    /// before with <paramref name="fileDigest"/>: written atomically and given the same digest in
    /// its own sidecar, without hashing the bytes again.
    /// </summary>
    public static void AdoptCopy(string source, byte[] fileDigest, string path)
    {
        AtomicFile.RemoveTemporaries(path);
        AtomicFile.RemoveTemporaries(CheckpointSidecar.PathOf(path));
        AtomicFile.Write(path, target =>
        {
            using var bytes = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
            bytes.CopyTo(target);
        });
        CheckpointSidecar.Write(path, fileDigest);
    }

    private static (CheckpointCheck Check, byte[]? FileDigest) Inspect(string path, bool judgeSidecar = true)
    {
        if (!File.Exists(path))
        {
            var left = File.Exists(CheckpointSidecar.PathOf(path)) ? ": only its .sha256 is left" : "";
            return (new CheckpointCheck(path, CheckpointHealth.Damaged, $"the checkpoint is missing{left}"), null);
        }
        Digests digests;
        try
        {
            digests = Digest(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (new CheckpointCheck(path, CheckpointHealth.Damaged, $"unreadable ({e.Message})"), null);
        }
        if (digests.Length < CheckpointFile.Magic.Length + CheckpointFile.DigestLength || !digests.HasMagic)
            return (new CheckpointCheck(path, CheckpointHealth.Damaged, $"not a checkpoint, or truncated ({digests.Length} bytes)"), null);
        if (!digests.Content.AsSpan().SequenceEqual(digests.Trailer))
            return (new CheckpointCheck(path, CheckpointHealth.Damaged, "its content does not match its own SHA-256 trailer: truncated or altered"), null);
        if (!judgeSidecar) return (new CheckpointCheck(path, CheckpointHealth.Ok, null), digests.WholeFile);
        var (health, problem) = CheckpointSidecar.Judge(path, digests.WholeFile, digests.Trailer);
        return (new CheckpointCheck(path, health, problem), digests.WholeFile);
    }

    private sealed record Digests(long Length, bool HasMagic, byte[] WholeFile, byte[] Content, byte[] Trailer);

    /// <summary>In one streamed pass: the whole file's SHA-256, the content's (all but the last 32 bytes) and the trailer.</summary>
    private static Digests Digest(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        var length = file.Length;
        var contentLength = Math.Max(0, length - CheckpointFile.DigestLength);
        using var wholeFile = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[CheckpointFile.Magic.Length];
        var trailer = new byte[Math.Min(length, CheckpointFile.DigestLength)];
        var buffer = new byte[BufferSize];
        long position = 0;
        int read;
        while (position < length && (read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, length - position))) > 0)
        {
            var chunk = buffer.AsSpan(0, read);
            wholeFile.AppendData(chunk);
            var inContent = (int)Math.Clamp(contentLength - position, 0, read);
            content.AppendData(chunk[..inContent]);
            if (inContent < read) chunk[inContent..].CopyTo(trailer.AsSpan((int)(position + inContent - contentLength)));
            if (position < head.Length) chunk[..(int)Math.Min(read, head.Length - position)].CopyTo(head.AsSpan((int)position));
            position += read;
        }
        var hasMagic = position >= head.Length && head.AsSpan().SequenceEqual(CheckpointFile.Magic);
        return new Digests(position, hasMagic, wholeFile.GetHashAndReset(), content.GetHashAndReset(), trailer);
    }
}
