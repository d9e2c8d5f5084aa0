using System.Buffers.Binary;
using System.IO.Compression;

namespace Experiments.Training.Data;

/// <summary>
/// The one reader of IDX headers, for validate, the loader and the memory map alike: big-endian
/// magic (0x00 0x00 type dims), one big-endian int32 per dimension, then the data. Each check
/// names the file; the header is believed only as far as the file bears it out.
/// </summary>
public sealed class IdxHeader
{
    public const byte UnsignedByte = 0x08;

    public string Path { get; }
    public IReadOnlyList<int> Dimensions { get; }
    public int Count => Dimensions[0];
    /// <summary>Bytes in one item: an image (rows × cols) or a label (1).</summary>
    public long ItemSize { get; }
    public long DataOffset => 4 + 4 * Dimensions.Count;
    public long DataLength => Count * ItemSize;

    private IdxHeader(string path, int[] dimensions, long itemSize)
    {
        Path = path;
        Dimensions = dimensions;
        ItemSize = itemSize;
    }

    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads and checks the header of an IDX file of <paramref name="expectedDims"/> dimensions
    /// (1 = labels, 3 = images) and that the data is as long as it says: for a raw file from its
    /// length, for a .gz file by inflating it on the way through (nothing is kept; reading stops
    /// one byte past what the header declares).
    /// </summary>
    public static IdxHeader Read(string path, int expectedDims) => Guarded(path, () =>
    {
        using var file = OpenRegular(path);
        if (!IsGzip(path))
        {
            var header = ReadFrom(path, file, expectedDims, file.Length);
            header.CheckDataLength(file.Length - header.DataOffset, exact: true);
            return header;
        }
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        var inflated = ReadFrom(path, gz, expectedDims, fileLength: null);
        inflated.CheckDataLength(Skip(gz, inflated.DataLength + 1), exact: false);
        return inflated;
    });

    /// <summary>Opens a file for reading after checking, without opening it, that it is a regular file.</summary>
    internal static FileStream OpenRegular(string path)
    {
        if (FileKinds.NotRegular(path) is { } kind) throw new DatasetException($"{path}: {kind}, not a regular file");
        if (!File.Exists(path)) throw new DatasetException($"{path}: file not found");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    /// <summary>IO and format errors become a <see cref="DatasetException"/> naming the file.</summary>
    internal static T Guarded<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be read as IDX ({e.Message})", e);
        }
    }

    /// <summary>Reads the header from the start of <paramref name="stream"/> (raw or inflated); <paramref name="fileLength"/> when known.</summary>
    internal static IdxHeader ReadFrom(string path, Stream stream, int expectedDims, long? fileLength)
    {
        Span<byte> head = stackalloc byte[4 + 4 * 3];
        var got = stream.ReadAtLeast(head[..4], 4, throwOnEndOfStream: false);
        if (got < 4) throw new DatasetException($"{path}: truncated: {fileLength ?? got} bytes, shorter than an IDX header");
        if (head[0] != 0 || head[1] != 0)
            throw new DatasetException($"{path}: bad magic number 0x{head[0]:X2}{head[1]:X2}{head[2]:X2}{head[3]:X2}: not an IDX file (a .gz file must end in .gz)");
        if (head[2] != UnsignedByte) throw new DatasetException($"{path}: data type 0x{head[2]:X2} is not supported; expected unsigned bytes (0x08)");
        if (head[3] != expectedDims)
            throw new DatasetException($"{path}: has {head[3]} dimensions, expected {expectedDims} ({(expectedDims == 3 ? "images" : "labels")}): " +
                $"is this the {(head[3] == 3 ? "images" : head[3] == 1 ? "labels" : "right")} file?");
        var dimsBytes = head.Slice(4, 4 * expectedDims);
        if (stream.ReadAtLeast(dimsBytes, dimsBytes.Length, throwOnEndOfStream: false) < dimsBytes.Length)
            throw new DatasetException($"{path}: truncated inside the header");
        var dims = new int[expectedDims];
        for (var i = 0; i < expectedDims; i++)
        {
            var d = BinaryPrimitives.ReadInt32BigEndian(dimsBytes[(4 * i)..]);
            if (d <= 0 && !(i == 0 && d == 0)) throw new DatasetException($"{path}: dimension {i} is {d}");
            dims[i] = d;
        }
        // Products of int32 dimensions can pass long's range: a lying header must not wrap around.
        var total = dims.Aggregate(Int128.One, (a, b) => a * b);
        if (total > long.MaxValue - 64)
            throw new DatasetException($"{path}: header declares {string.Join("x", dims)} bytes, too many for any file");
        return new IdxHeader(path, dims, dims.Skip(1).Aggregate(1L, (a, b) => a * b));
    }

    /// <summary>Checks the data found after the header (for a .gz, counted up to one byte past the declared end) against the header.</summary>
    internal void CheckDataLength(long found, bool exact)
    {
        if (found < DataLength)
            throw new DatasetException($"{Path}: truncated: header declares {Count} items ({DataOffset + DataLength} bytes) but the file has {DataOffset + found} bytes");
        if (found > DataLength)
            throw new DatasetException(exact
                ? $"{Path}: {found - DataLength} bytes after the {Count} items the header declares"
                : $"{Path}: more data after the {Count} items the header declares");
    }

    /// <summary>Reads and discards up to <paramref name="most"/> bytes; returns how many there were.</summary>
    private static long Skip(Stream stream, long most)
    {
        var chunk = new byte[1 << 16];
        long total = 0;
        while (total < most)
        {
            var n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, most - total));
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
