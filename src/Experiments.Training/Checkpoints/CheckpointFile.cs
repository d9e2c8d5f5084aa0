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
/// followed by the SHA-256 of everything before it, so the file verifies itself; a copy of the
/// digest stands beside it as <c>NAME.sha256</c> (sha256sum format). Written to a temporary file,
/// flushed to disk and renamed: a crash leaves the previous checkpoint intact, never half a file.
/// </summary>
public static class CheckpointFile
{
    private static readonly byte[] Magic = "EXPCKPT1"u8.ToArray();
    private const int DigestLength = 32;

    public static void Write(string path, CheckpointMeta meta, IReadOnlyDictionary<string, byte[]> sections)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = AtomicFile.TemporaryName(path);
        byte[] digest;
        // Streamed to disk and hashed on the way: no in-memory copy of the (megabytes of) state.
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var hashing = new HashingStream(file))
            {
                using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
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
                digest = hashing.Digest();
            }
            file.Write(digest);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        WriteDigest(path, digest);
    }

    /// <summary>Copies a checkpoint and its digest, each atomically (best.ckpt from last.ckpt).</summary>
    public static void Copy(string source, string destination)
    {
        var temporary = AtomicFile.TemporaryName(destination);
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, destination, overwrite: true);
        var bytes = File.ReadAllBytes(source + ".sha256");
        AtomicFile.Write(destination + ".sha256", Encoding.ASCII.GetBytes(
            Encoding.ASCII.GetString(bytes).Replace(Path.GetFileName(source), Path.GetFileName(destination), StringComparison.Ordinal)));
    }

    private static void WriteDigest(string path, byte[] digest) =>
        AtomicFile.Write(path + ".sha256", Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(digest)}  {Path.GetFileName(path)}\n"));

    public static (CheckpointMeta Meta, IReadOnlyDictionary<string, byte[]> Sections) Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: checkpoint not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + DigestLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"{path}: not a checkpoint, or truncated ({bytes.Length} bytes)");
        var content = bytes.AsSpan(0, bytes.Length - DigestLength);
        var stored = bytes.AsSpan(bytes.Length - DigestLength);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(stored))
            throw new CheckpointException($"{path}: SHA-256 does not match: the checkpoint was truncated or altered");
        var sidecar = path + ".sha256";
        if (File.Exists(sidecar) && !File.ReadAllText(sidecar).StartsWith(Convert.ToHexStringLower(stored), StringComparison.Ordinal))
            throw new CheckpointException($"{path}: SHA-256 differs from {sidecar}: the checkpoint or its digest was altered");

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

    /// <summary>Passes writes through to a stream and hashes them (SHA-256) on the way.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Digest() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
