using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Akka.Actor;
using Experiments.Training;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// Files (checkpoints of several MB, sample grids, TensorBoard event files, IDX data) cross the
/// network in 64 KiB chunks (file-chunk/2, raw bytes), with up to <see cref="Window"/>
/// unacknowledged at a time. A chunk stays below .NET's 85,000-byte large-object threshold at
/// every copy on its way (the file's slice, the frame, the bytes read back): the 1 MiB chunks in
/// base64 JSON before cost both ends a stream of large-object allocations, each on fresh pages
/// the kernel had to zero, and the gen-2 collections they triggered (docs/PERFORMANCE.md, "Cluster").
/// </summary>
public static partial class FileChunks
{
    public const int ChunkSize = 64 * 1024;

    /// <summary>Chunks in flight per transfer (2 MiB): a 4 MB checkpoint takes two round trips, not one per chunk.</summary>
    public const int Window = 32;

    public const string LastCheckpoint = "last.ckpt";
    public const string BestCheckpoint = "best.ckpt";

    public static int CountOf(long length) => (int)Math.Max(1, (length + ChunkSize - 1) / ChunkSize);

    public static byte[] Chunk(byte[] file, int index) =>
        file.AsSpan(index * ChunkSize, Math.Min(ChunkSize, file.Length - index * ChunkSize)).ToArray();

    public static bool IsCheckpoint(string name) => name is LastCheckpoint or BestCheckpoint;

    /// <summary>
    /// The names a worker may ship into a trial folder: the checkpoints, the GAN's sample grids and
    /// TensorBoard event files, each a plain file name (never a path, never "..": a peer cannot
    /// write anywhere but the trial folder, nor over params.json or metrics.csv).
    /// </summary>
    public static bool IsTrialFile(string name) => IsCheckpoint(name) || ArtifactName().IsMatch(name);

    /// <summary>The trial files that are not checkpoints: shipped whenever they changed, at every checkpoint and at the end.</summary>
    public static bool IsArtifact(string name) => ArtifactName().IsMatch(name);

    [GeneratedRegex(@"^(samples-epoch-\d{1,6}\.png|events\.out\.tfevents\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){1,6})$")]
    private static partial Regex ArtifactName();

    public static bool IsSha256(string hex) => Sha256Hex().IsMatch(hex);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    public static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>
/// Files to one peer for one transfer (a work id), chunk by chunk with up to
/// <see cref="FileChunks.Window"/> chunks unacknowledged. Remoting keeps the order of one sender's
/// messages to one receiver, so the receiver still gets each file's chunks in order. A file
/// queued again replaces a waiting version that has not begun; one whose first chunks are on their
/// way is finished first, so a file rewritten faster than it travels (a checkpoint every epoch
/// under load) still reaches the receiver, never starting over for ever.
/// </summary>
public sealed class ChunkSender(string transfer)
{
    private sealed record Part(string File, byte[] Bytes, int Index, string? SameAs);

    private readonly LinkedList<Part> _waiting = new();
    private int _inFlight;

    public bool Done => _inFlight == 0 && _waiting.Count == 0;

    public void Enqueue(string file, byte[] bytes)
    {
        Drop(file);
        for (var i = 0; i < FileChunks.CountOf(bytes.Length); i++) _waiting.AddLast(new Part(file, bytes, i, null));
    }

    /// <summary><paramref name="file"/> has <paramref name="bytes"/>, those of <paramref name="sameAs"/> queued just before: the receiver copies them.</summary>
    public void EnqueueCopy(string file, string sameAs, byte[] bytes)
    {
        Drop(file);
        _waiting.AddLast(new Part(file, bytes, 0, sameAs));
    }

    /// <summary>
    /// Drops the waiting version of <paramref name="file"/> that has not begun (from its chunk 0 on),
    /// keeping the rest of one already begun; a waiting copy of a dropped version then goes as chunks of its own.
    /// </summary>
    private void Drop(string file)
    {
        var dropped = false;
        var begun = true;
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.File == file)
            {
                begun &= node.Value.Index != 0;
                if (!begun)
                {
                    _waiting.Remove(node);
                    dropped |= node.Value.SameAs is null;
                }
            }
            node = next;
        }
        if (!dropped) return;
        foreach (var copy in _waiting.Where(p => p.SameAs == file).ToList())
        {
            _waiting.Remove(copy);
            for (var i = 0; i < FileChunks.CountOf(copy.Bytes.Length); i++) _waiting.AddLast(new Part(copy.File, copy.Bytes, i, null));
        }
    }

    /// <summary>Sends what the window allows.</summary>
    public void Pump(IActorRef to, IActorRef self)
    {
        while (_inFlight < FileChunks.Window && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            _inFlight++;
            var part = first.Value;
            IClusterMessage message = part.SameAs is { } sameAs
                ? new FileCopy(transfer, part.File, sameAs)
                : new FileChunk(transfer, part.File, part.Index, FileChunks.CountOf(part.Bytes.Length), FileChunks.Chunk(part.Bytes, part.Index));
            to.Tell(message, self);
        }
    }

    public void Acked() => _inFlight = Math.Max(0, _inFlight - 1);

    public void Clear()
    {
        _waiting.Clear();
        _inFlight = 0;
    }
}

/// <summary>
/// One file being received: chunks in order, kept in memory as they came (no contiguous copy),
/// written atomically to its place when the last arrives, after <paramref name="check"/> (given
/// the file's length and SHA-256, computed only when there is a check), which throws to refuse the bytes.
/// </summary>
public sealed class IncomingFile(string path, int count, Action<long, string>? check = null)
{
    private readonly List<byte[]> _chunks = new();

    public string Path => path;

    /// <summary>True when this chunk completed the file (then it is on disk). A chunk out of order is an error.</summary>
    public bool Add(int index, byte[] bytes)
    {
        if (index != _chunks.Count) throw new InvalidDataException($"{path}: chunk {index} arrived, {_chunks.Count} expected");
        _chunks.Add(bytes);
        if (_chunks.Count < count) return false;
        if (check is not null) check(_chunks.Sum(c => (long)c.Length), Sha256Of(_chunks));
        AtomicFile.Write(path, stream =>
        {
            foreach (var chunk in _chunks) stream.Write(chunk);
        });
        return true;
    }

    private static string Sha256Of(List<byte[]> chunks)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var chunk in chunks) hash.AppendData(chunk);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
