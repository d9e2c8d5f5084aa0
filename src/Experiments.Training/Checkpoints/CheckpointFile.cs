using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Experiments.Training.Checkpoints;

/// <summary>Raised when a checkpoint is missing, truncated or altered; the message names the file.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a checkpoint records besides the tensors: where training stood and how it scored.</summary>
public sealed record CheckpointMeta(string Model, int Epoch, long Step, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// One checkpoint file: named binary sections (model, optimizer, RNG state…) and a JSON header,
/// followed by the SHA-256 of everything before it (the trailer), so the file verifies itself;
/// beside it, <c>NAME.sha256</c> holds the SHA-256 of the whole file in sha256sum format
/// (<see cref="CheckpointSidecar"/>). Each is written to a temporary file, flushed to disk and
/// renamed, the checkpoint first: a crash leaves the previous checkpoint intact, never half a
/// file, and at worst a stale sidecar beside a sound checkpoint, which <see cref="CheckpointIntegrity.Repair"/> mends.
/// </summary>
public static class CheckpointFile
{
    internal static ReadOnlySpan<byte> Magic => "EXPCKPT1"u8;
    internal const int DigestLength = 32;

    public static void Write(string path, CheckpointMeta meta, IReadOnlyDictionary<string, byte[]> sections)
    {
        byte[] fileDigest = [];
        // Streamed to disk and hashed on the way: no in-memory copy of the (megabytes of) state.
        AtomicFile.Write(path, file =>
        {
            using var wholeFile = new HashingStream(file);
            using (var content = new HashingStream(wholeFile))
            {
                using (var writer = new BinaryWriter(content, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(JsonSerializer.Serialize(meta));
                    writer.Write(sections.Count);
                    foreach (var (name, bytes) in sections)
                    {
                        writer.Write(name);
                        writer.Write((long)bytes.Length);
                        writer.Write(bytes);
                    }
                }
                wholeFile.Write(content.Digest());
            }
            fileDigest = wholeFile.Digest();
        });
        CheckpointSidecar.Write(path, fileDigest);
    }

    /// <summary>Copies a checkpoint (best.ckpt from last.ckpt), hashing the copy on the way for its own sidecar.</summary>
    public static void Copy(string source, string destination)
    {
        byte[] fileDigest = [];
        AtomicFile.Write(destination, file =>
        {
            using var hashing = new HashingStream(file);
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
                input.CopyTo(hashing, 1 << 16);
            fileDigest = hashing.Digest();
        });
        CheckpointSidecar.Write(destination, fileDigest);
    }

    /// <summary>The header alone (model, epoch, step, metrics), unverified: for messages about a file checked otherwise.</summary>
    public static CheckpointMeta ReadMeta(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new CheckpointException($"{path}: not a checkpoint");
            return JsonSerializer.Deserialize<CheckpointMeta>(reader.ReadString()) ?? throw new CheckpointException($"{path}: empty header");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new CheckpointException($"{path}: malformed checkpoint header ({e.Message})", e);
        }
    }

    public static (CheckpointMeta Meta, IReadOnlyDictionary<string, byte[]> Sections) Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: checkpoint not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + DigestLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"{path}: not a checkpoint, or truncated ({bytes.Length} bytes)");
        var content = bytes.AsSpan(0, bytes.Length - DigestLength);
        var trailer = bytes.AsSpan(bytes.Length - DigestLength);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(trailer))
            throw new CheckpointException($"{path}: SHA-256 does not match: the checkpoint was truncated or altered");
        if (File.Exists(CheckpointSidecar.PathOf(path)))
        {
            var (health, problem) = CheckpointSidecar.Judge(path, SHA256.HashData(bytes), trailer.ToArray());
            if (health == CheckpointHealth.SidecarDisagrees)
                throw new CheckpointException($"{path}: {problem}");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, content.Length), Encoding.UTF8);
            reader.ReadBytes(Magic.Length);
            var meta = JsonSerializer.Deserialize<CheckpointMeta>(reader.ReadString())
                       ?? throw new CheckpointException($"{path}: empty header");
            var count = reader.ReadInt32();
            var sections = new Dictionary<string, byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var length = reader.ReadInt64();
                sections[name] = reader.ReadBytes(checked((int)length));
            }
            return (meta, sections);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or OverflowException or IOException)
        {
            throw new CheckpointException($"{path}: malformed checkpoint ({e.Message})", e);
        }
    }
}
