using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Experiments.Core.Spec;
using Experiments.Training.Data;

namespace Experiments.Training.Tests.Data;

/// <summary>Every dataset file treated as hostile: wrong kinds of file, lying headers, bombs.</summary>
public class HostileIdxSpecs
{
    /// <summary>A blocked open never returns; this bounds the wait so that the test fails instead of hanging.</summary>
    private static readonly TimeSpan BlockedOpen = TimeSpan.FromSeconds(60);

    private static byte[] Header(params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    private static string WriteLabels(TempDir dir, string name, params byte[] labels)
    {
        var path = dir.File(name);
        IdxFile.Write(path, labels, labels.Length);
        return path;
    }

    private static string WriteImages(TempDir dir, string name, int count, int rows = 28, int cols = 28)
    {
        var path = dir.File(name);
        IdxFile.Write(path, new byte[count * rows * cols], count, rows, cols);
        return path;
    }

    internal static string MakeFifo(TempDir dir, string name)
    {
        var path = dir.File(name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Runs <paramref name="open"/> off the test thread; if it blocks on the FIFO, a writer releases it and the test fails.</summary>
    internal static async Task<DatasetException> ThrowsWithoutBlocking(string fifo, Action open)
    {
        var attempt = Task.Run(() => Assert.Throws<DatasetException>(open));
        if (await Task.WhenAny(attempt, Task.Delay(BlockedOpen)) != attempt)
        {
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"opening {fifo} blocked");
        }
        return await attempt;
    }

    [Fact]
    public async Task Should_refuse_a_fifo_as_labels_without_opening_it()
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte", 3);
        var fifo = MakeFifo(dir, "labels-idx1-ubyte");

        var error = await ThrowsWithoutBlocking(fifo, () => DigitDataset.FromIdx("t", images, fifo));

        Assert.Equal($"{fifo}: a FIFO (named pipe), not a regular file", error.Message);
        Assert.Equal(DatasetPart.Labels, error.Part);
    }

    [Fact]
    public async Task Should_refuse_a_fifo_as_memory_mapped_images_without_opening_it()
    {
        using var dir = new TempDir();
        var labels = WriteLabels(dir, "labels-idx1-ubyte", 1, 2, 3);
        var fifo = MakeFifo(dir, "images-idx3-ubyte");

        var error = await ThrowsWithoutBlocking(fifo, () => new MappedDigitSource(fifo, labels));

        Assert.Equal($"{fifo}: a FIFO (named pipe), not a regular file", error.Message);
        Assert.Equal(DatasetPart.Images, error.Part);
    }

    [Fact]
    public void Should_refuse_a_device_by_its_kind()
    {
        var error = Assert.Throws<DatasetException>(() => IdxHeader.Read("/dev/null", 1));
        Assert.Equal("/dev/null: a character device, not a regular file", error.Message);
    }

    [Fact]
    public void Should_refuse_a_directory_by_its_kind()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<DatasetException>(() => IdxFile.Open(dir.Path, 3));
        Assert.Equal($"{dir.Path}: a directory, not a regular file", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Should_report_a_header_claiming_a_billion_images_in_a_tiny_file(string suffix)
    {
        using var dir = new TempDir();
        var images = dir.File("images-idx3-ubyte" + suffix);
        WriteRaw(images, [.. Header(1_000_000_000, 28, 28), .. new byte[100]]);

        var error = Assert.Throws<DatasetException>(() => IdxHeader.Read(images, 3));

        Assert.StartsWith($"{images}: truncated: header declares 1000000000 items (784000000016 bytes) but the file has ", error.Message);
    }

    [Fact]
    public void Should_report_dimensions_whose_product_overflows()
    {
        using var dir = new TempDir();
        var images = dir.File("images-idx3-ubyte");
        WriteRaw(images, [.. Header(int.MaxValue, int.MaxValue, int.MaxValue), .. new byte[10]]);

        var error = Assert.Throws<DatasetException>(() => IdxHeader.Read(images, 3));

        Assert.Equal($"{images}: header declares {int.MaxValue}x{int.MaxValue}x{int.MaxValue} bytes, too many for any file", error.Message);
    }

    [Fact]
    public void Should_stop_inflating_a_gzip_bomb_where_the_header_says_the_data_ends()
    {
        using var dir = new TempDir();
        var labels = dir.File("labels-idx1-ubyte.gz");
        using (var gz = new GZipStream(File.Create(labels), CompressionLevel.Fastest))
        {
            gz.Write(Header(5));
            gz.Write(new byte[] { 1, 2, 3, 4, 5 });
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 256; i++) gz.Write(zeros); // 256 MiB the header does not declare
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DatasetException>(() => IdxFile.Open(labels, 1));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"{labels}: more data after the 5 items the header declares", error.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Should_refuse_files_without_images()
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte", 0);
        var labels = WriteLabels(dir, "labels-idx1-ubyte");

        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));

        Assert.Equal($"{images}: holds no images", error.Message);
    }

    [Fact]
    public void Should_refuse_images_that_are_not_28_by_28_in_the_memory_mapped_source_too()
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte", 2, 32, 32);
        var labels = WriteLabels(dir, "labels-idx1-ubyte", 1, 2);

        var mapped = Assert.Throws<DatasetException>(() => new MappedDigitSource(images, labels));
        var loaded = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));

        Assert.Equal($"{images}: images are 32x32, expected 28x28", mapped.Message);
        Assert.Equal(mapped.Message, loaded.Message);
    }

    [Fact]
    public void Should_refuse_a_label_above_nine_even_beyond_the_limit()
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte", 4);
        var labels = WriteLabels(dir, "labels-idx1-ubyte", 1, 2, 3, 200);

        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels, limit: 2));

        Assert.Equal($"{labels}: label 200 at index 3 is not a digit 0-9", error.Message);
        Assert.Equal(DatasetPart.Labels, error.Part);
    }

    [Fact]
    public void Should_point_at_the_swap_when_images_are_named_as_labels()
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte", 3);

        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, images));

        Assert.Equal($"{images}: has 3 dimensions, expected 1 (labels): is this the images file?", error.Message);
        Assert.Equal(DatasetPart.Labels, error.Part);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Should_read_the_same_header_as_the_loader_without_loading_the_images(string suffix)
    {
        using var dir = new TempDir();
        var images = WriteImages(dir, "images-idx3-ubyte" + suffix, 7);

        var header = IdxHeader.Read(images, 3);
        using var opened = IdxFile.Open(images, 3);

        Assert.Equal([7, 28, 28], header.Dimensions);
        Assert.Equal(header.Dimensions, opened.Header.Dimensions);
        Assert.Equal(header.DataOffset, opened.Header.DataOffset);
    }

    private static void WriteRaw(string path, byte[] bytes)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(bytes);
    }
}
