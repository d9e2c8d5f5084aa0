using Experiments.Training.Data;

namespace Experiments.Training.Tests.Data;

public class IdxFileSpecs
{
    private static byte[] Pixels(int count) => Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i % 251)).ToArray();

    private static (string images, string labels) WriteSet(TempDir dir, int images, int labels, string suffix = "")
    {
        var imagesPath = dir.File("images-idx3-ubyte" + suffix);
        var labelsPath = dir.File("labels-idx1-ubyte" + suffix);
        IdxFile.Write(imagesPath, Pixels(images), images, 28, 28);
        IdxFile.Write(labelsPath, Enumerable.Range(0, labels).Select(i => (byte)(i % 10)).ToArray(), labels);
        return (imagesPath, labelsPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Should_round_trip_images_and_labels_raw_or_gzipped(string suffix)
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 20, 20, suffix);
        using var data = DigitDataset.FromIdx("t", images, labels);
        Assert.Equal(20, data.Count);
        Assert.Equal([20L, 1, 28, 28], data.Images.shape);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 10), data.LabelArray);
        Assert.Equal(Pixels(20)[5] / 255f, data.Images.flatten()[5].item<float>());
    }

    [Fact]
    public void Should_name_the_file_when_the_magic_number_is_wrong()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 5, 5);
        var bytes = File.ReadAllBytes(images);
        bytes[0] = 0x1f;
        File.WriteAllBytes(images, bytes);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));
        Assert.Contains(images, error.Message);
        Assert.Contains("bad magic number", error.Message);
    }

    [Fact]
    public void Should_report_a_truncated_image_file()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 5, 5);
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..^100]);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));
        Assert.Contains(images, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Should_report_a_truncated_gzip_file()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 50, 50, ".gz");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));
        Assert.Contains(images, error.Message);
    }

    [Fact]
    public void Should_report_images_and_labels_whose_counts_disagree()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 6, 5);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));
        Assert.Contains("6 images", error.Message);
        Assert.Contains("5 labels", error.Message);
    }

    [Fact]
    public void Should_report_a_labels_file_given_as_images()
    {
        using var dir = new TempDir();
        var (_, labels) = WriteSet(dir, 5, 5);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", labels, labels));
        Assert.Contains("1 dimensions, expected 3", error.Message);
    }

    [Fact]
    public void Should_report_a_missing_file_by_name()
    {
        var error = Assert.Throws<DatasetException>(() => IdxFile.Open("/nonexistent/x-idx3-ubyte", 3));
        Assert.Contains("/nonexistent/x-idx3-ubyte: file not found", error.Message);
    }

    [Fact]
    public void Should_report_a_label_that_is_not_a_digit()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 3, 3);
        IdxFile.Write(labels, new byte[] { 1, 2, 42 }, 3);
        var error = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("t", images, labels));
        Assert.Contains("label 42", error.Message);
    }

    [Fact]
    public void Should_serve_the_same_batches_from_a_memory_map_as_from_memory()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 30, 30);
        using var inMemory = DigitDataset.FromIdx("t", images, labels);
        using var mapped = new MappedDigitSource(images, labels);
        int[] batch = [29, 3, 3, 17];
        var (a, la) = inMemory.Batch(batch);
        var (b, lb) = mapped.Batch(batch);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(la.equal(lb).all().item<bool>());
    }

    [Fact]
    public void Should_keep_only_the_first_samples_up_to_the_limit()
    {
        using var dir = new TempDir();
        var (images, labels) = WriteSet(dir, 30, 30);
        using var data = DigitDataset.FromIdx("t", images, labels, limit: 12);
        Assert.Equal(12, data.Count);
        Assert.Equal(12, data.Images.shape[0]);
    }
}
