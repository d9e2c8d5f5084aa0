using Experiments.Training;

namespace Experiments.Actors.Cluster;

/// <summary>
/// Trial files (checkpoints, several MB) cross the network in chunks far below remoting's frame
/// limit, one in flight at a time (each is acknowledged before the next is sent).
/// </summary>
public static class FileChunks
{
    public const int ChunkSize = 128 * 1024;

    /// <summary>The files a trial-fold's checkpoints consist of, in the order they are shipped.</summary>
    public static readonly string[] CheckpointFiles = ["last.ckpt", "best.ckpt"];

    public static int CountOf(int length) => Math.Max(1, (length + ChunkSize - 1) / ChunkSize);

    public static byte[] Chunk(byte[] file, int index) =>
        file.AsSpan(index * ChunkSize, Math.Min(ChunkSize, file.Length - index * ChunkSize)).ToArray();
}

/// <summary>One file being received: chunks in order, written atomically to its place when the last arrives.</summary>
public sealed class IncomingFile(string path, int count)
{
    private readonly MemoryStream _bytes = new();
    private int _next;

    public string Path => path;

    /// <summary>True when this chunk completed the file (then it is on disk). A chunk out of order is an error.</summary>
    public bool Add(int index, byte[] bytes)
    {
        if (index != _next) throw new InvalidDataException($"{path}: chunk {index} arrived, {_next} expected");
        _bytes.Write(bytes);
        _next++;
        if (_next < count) return false;
        AtomicFile.Write(path, _bytes.ToArray());
        return true;
    }
}
