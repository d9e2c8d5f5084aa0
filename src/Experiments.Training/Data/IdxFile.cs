using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.MemoryMappedFiles;

namespace Experiments.Training.Data;

/// <summary>
/// The IDX format of MNIST, Fashion-MNIST and KMNIST: big-endian magic (0x00 0x00 type dims),
/// one big-endian int32 per dimension, then the data. We read unsigned bytes (type 0x08):
/// idx3 images [N, rows, cols] and idx1 labels [N]. Raw files are memory-mapped, so a dataset
/// larger than RAM can still be batched; .gz files are inflated into memory once.
/// </summary>
public sealed class IdxFile : IDisposable
{
    private const byte UnsignedByte = 0x08;
    private const long MaxGzipBytes = 4L << 30;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    /// <summary>The mapped data's first byte, held for the file's lifetime (not acquired per item on the batch path).</summary>
    private readonly unsafe byte* _mapped;
    private readonly byte[]? _inflated;
    private readonly long _dataOffset;

    public string Path { get; }
    public IReadOnlyList<int> Dimensions { get; }
    public int Count => Dimensions[0];
    public int ItemSize { get; }

    private IdxFile(string path, IReadOnlyList<int> dims, long dataOffset, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte[]? inflated)
    {
        Path = path;
        Dimensions = dims;
        ItemSize = dims.Skip(1).Aggregate(1, (a, b) => checked(a * b));
        _dataOffset = dataOffset;
        _map = map;
        _view = view;
        if (view is not null)
            unsafe
            {
                byte* start = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
                _mapped = start + view.PointerOffset;
            }
        _inflated = inflated;
    }

    /// <summary>Opens and checks an IDX file of <paramref name="expectedDims"/> dimensions (1 = labels, 3 = images).</summary>
    public static IdxFile Open(string path, int expectedDims)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: file not found");
        try
        {
            return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? FromBytes(path, Inflate(path), expectedDims)
                : FromMappedFile(path, expectedDims);
        }
        catch (DatasetException) { throw; }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or OverflowException)
        {
            throw new DatasetException($"{path}: cannot be read as IDX ({e.Message})", e);
        }
    }

    private static byte[] Inflate(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = gz.Read(chunk)) > 0)
        {
            if (buffer.Length + n > MaxGzipBytes) throw new DatasetException($"{path}: inflates to more than {MaxGzipBytes >> 30} GiB; decompress it and use the raw file, which is memory-mapped");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static IdxFile FromBytes(string path, byte[] bytes, int expectedDims)
    {
        var (dims, offset) = ReadHeader(path, bytes, bytes.Length, expectedDims);
        return new IdxFile(path, dims, offset, null, null, bytes);
    }

    private static IdxFile FromMappedFile(string path, int expectedDims)
    {
        var length = new FileInfo(path).Length;
        var header = new byte[Math.Min(length, 4 + 4 * 4)];
        using (var stream = File.OpenRead(path)) stream.ReadExactly(header);
        var (dims, offset) = ReadHeader(path, header, length, expectedDims);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new IdxFile(path, dims, offset, map, view, null);
    }

    private static (int[] dims, long offset) ReadHeader(string path, ReadOnlySpan<byte> head, long fileLength, int expectedDims)
    {
        if (head.Length < 4) throw new DatasetException($"{path}: truncated: {fileLength} bytes, shorter than an IDX header");
        if (head[0] != 0 || head[1] != 0)
            throw new DatasetException($"{path}: bad magic number 0x{head[0]:X2}{head[1]:X2}{head[2]:X2}{head[3]:X2}: not an IDX file (a .gz file must end in .gz)");
        if (head[2] != UnsignedByte) throw new DatasetException($"{path}: data type 0x{head[2]:X2} is not supported; expected unsigned bytes (0x08)");
        if (head[3] != expectedDims)
            throw new DatasetException($"{path}: has {head[3]} dimensions, expected {expectedDims} ({(expectedDims == 3 ? "images" : "labels")})");
        var offset = 4 + 4 * expectedDims;
        if (head.Length < offset) throw new DatasetException($"{path}: truncated inside the header");
        var dims = new int[expectedDims];
        for (var i = 0; i < expectedDims; i++)
        {
            var d = BinaryPrimitives.ReadInt32BigEndian(head[(4 + 4 * i)..]);
            if (d <= 0 && !(i == 0 && d == 0)) throw new DatasetException($"{path}: dimension {i} is {d}");
            dims[i] = d;
        }
        var expected = offset + dims.Aggregate(1L, (a, b) => a * b);
        if (fileLength < expected)
            throw new DatasetException($"{path}: truncated: header declares {dims[0]} items ({expected} bytes) but the file has {fileLength} bytes");
        if (fileLength > expected)
            throw new DatasetException($"{path}: {fileLength - expected} bytes after the {dims[0]} items the header declares");
        return (dims, offset);
    }

    /// <summary>Copies item <paramref name="index"/> (an image or a label) into <paramref name="destination"/>.</summary>
    public void CopyItem(int index, Span<byte> destination)
    {
        var start = _dataOffset + (long)index * ItemSize;
        if (_inflated is not null)
        {
            _inflated.AsSpan((int)start, ItemSize).CopyTo(destination);
            return;
        }
        unsafe
        {
            new ReadOnlySpan<byte>(_mapped + start, ItemSize).CopyTo(destination);
        }
    }

    public byte[] ReadAll()
    {
        var all = new byte[checked(Count * ItemSize)];
        for (var i = 0; i < Count; i++) CopyItem(i, all.AsSpan(i * ItemSize, ItemSize));
        return all;
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    /// <summary>Writes an idx3 ubyte image file or (rows = cols = 0) an idx1 label file.</summary>
    public static void Write(string path, ReadOnlySpan<byte> data, int count, int rows = 0, int cols = 0)
    {
        var dims = rows == 0 ? new[] { count } : new[] { count, rows, cols };
        using var stream = File.Create(path);
        Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionLevel.Optimal) : stream;
        Span<byte> word = stackalloc byte[4];
        output.Write([0, 0, UnsignedByte, (byte)dims.Length]);
        foreach (var d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            output.Write(word);
        }
        output.Write(data);
        if (output != stream) output.Dispose();
    }
}
