using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.MemoryMappedFiles;

namespace Experiments.Training.Data;

/// <summary>
/// The data of an IDX file (MNIST, Fashion-MNIST, KMNIST) of unsigned bytes: idx3 images
/// [N, rows, cols] and idx1 labels [N], its header read and checked by <see cref="IdxHeader"/>.
/// Raw files are memory-mapped, so a dataset larger than RAM can still be batched; .gz files are
/// inflated into memory once, never past what the header declares.
/// </summary>
public sealed class IdxFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    /// <summary>The mapped data's first byte, held for the file's lifetime (not acquired per item on the batch path).</summary>
    private readonly unsafe byte* _mapped;
    private readonly byte[]? _inflated;

    public IdxHeader Header { get; }
    public string Path => Header.Path;
    public IReadOnlyList<int> Dimensions => Header.Dimensions;
    public int Count => Header.Count;
    public int ItemSize => checked((int)Header.ItemSize);

    private IdxFile(IdxHeader header, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte[]? inflated)
    {
        Header = header;
        _map = map;
        _view = view;
        if (view is not null)
            unsafe
            {
                byte* start = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
                _mapped = start + view.PointerOffset + header.DataOffset;
            }
        _inflated = inflated;
    }

    /// <summary>Opens and checks an IDX file of <paramref name="expectedDims"/> dimensions (1 = labels, 3 = images).</summary>
    public static IdxFile Open(string path, int expectedDims) =>
        IdxHeader.Guarded(path, () => IdxHeader.IsGzip(path) ? Inflate(path, expectedDims) : Map(path, expectedDims));

    private static IdxFile Inflate(string path, int expectedDims)
    {
        using var gz = new GZipStream(IdxHeader.OpenRegular(path), CompressionMode.Decompress);
        var header = IdxHeader.ReadFrom(path, gz, expectedDims, fileLength: null);
        if (header.DataLength > Array.MaxLength)
            throw new DatasetException($"{path}: header declares {header.DataLength} bytes of data, more than fit in memory; " +
                "decompress it (gunzip -k) and use the raw file with memory-mapped = on");
        // The buffer grows with what actually inflates, so a lying header costs no more than the data behind it.
        using var data = new MemoryStream((int)Math.Min(header.DataLength, 1 << 20));
        var chunk = new byte[1 << 16];
        while (data.Length < header.DataLength)
        {
            var n = gz.Read(chunk, 0, (int)Math.Min(chunk.Length, header.DataLength - data.Length));
            if (n == 0) break;
            data.Write(chunk, 0, n);
        }
        header.CheckDataLength(data.Length + gz.Read(chunk, 0, 1), exact: false);
        return new IdxFile(header, null, null, data.GetBuffer());
    }

    private static IdxFile Map(string path, int expectedDims)
    {
        IdxHeader header;
        long length;
        using (var stream = IdxHeader.OpenRegular(path))
        {
            length = stream.Length;
            header = IdxHeader.ReadFrom(path, stream, expectedDims, length);
        }
        header.CheckDataLength(length - header.DataOffset, exact: true);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new IdxFile(header, map, view, null);
    }

    /// <summary>Copies item <paramref name="index"/> (an image or a label) into <paramref name="destination"/>.</summary>
    public void CopyItem(int index, Span<byte> destination)
    {
        var start = (long)index * ItemSize;
        if (_inflated is not null)
        {
            _inflated.AsSpan(checked((int)start), ItemSize).CopyTo(destination);
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
        Stream output = IdxHeader.IsGzip(path) ? new GZipStream(stream, CompressionLevel.Optimal) : stream;
        Span<byte> word = stackalloc byte[4];
        output.Write([0, 0, IdxHeader.UnsignedByte, (byte)dims.Length]);
        foreach (var d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            output.Write(word);
        }
        output.Write(data);
        if (output != stream) output.Dispose();
    }
}
