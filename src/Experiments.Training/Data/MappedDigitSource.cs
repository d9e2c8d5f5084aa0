using static TorchSharp.torch;

namespace Experiments.Training.Data;

/// <summary>
/// Digits read batch by batch from a memory-mapped raw IDX file: only the labels are held in
/// memory, so a dataset larger than RAM can still be trained on. Slower per batch than
/// <see cref="DigitDataset"/>, which is preloaded.
/// </summary>
public sealed class MappedDigitSource : IDigitSource
{
    private const int Pixels = DigitDataset.Side * DigitDataset.Side;
    private readonly IdxFile _images;
    private readonly int[] _labels;

    public string Name { get; }
    public int Count => _labels.Length;
    public IReadOnlyList<int> LabelArray => _labels;

    public MappedDigitSource(string imagesPath, string labelsPath, int? limit = null)
    {
        if (imagesPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new DatasetException($"{imagesPath}: a compressed file cannot be memory-mapped; decompress it first (gunzip -k)");
        _images = IdxFile.Open(imagesPath, 3);
        using var labels = IdxFile.Open(labelsPath, 1);
        if (_images.Dimensions[1] != DigitDataset.Side || _images.Dimensions[2] != DigitDataset.Side)
            throw new DatasetException($"{imagesPath}: images are {_images.Dimensions[1]}x{_images.Dimensions[2]}, expected 28x28");
        if (_images.Count != labels.Count)
            throw new DatasetException($"{imagesPath} holds {_images.Count} images but {labelsPath} holds {labels.Count} labels");
        _labels = labels.ReadAll().Take(limit ?? int.MaxValue).Select(b => (int)b).ToArray();
        var notDigit = Array.FindIndex(_labels, l => l > 9);
        if (notDigit >= 0) throw new DatasetException($"{labelsPath}: label {_labels[notDigit]} at index {notDigit} is not a digit 0-9");
        Name = imagesPath;
    }

    public (Tensor Images, Tensor Labels) Batch(ReadOnlySpan<int> indices)
    {
        var pixels = new float[indices.Length * Pixels];
        var labels = new long[indices.Length];
        Span<byte> item = stackalloc byte[Pixels];
        for (var i = 0; i < indices.Length; i++)
        {
            _images.CopyItem(indices[i], item);
            for (var p = 0; p < Pixels; p++) pixels[i * Pixels + p] = item[p] / 255f;
            labels[i] = _labels[indices[i]];
        }
        return (tensor(pixels, [indices.Length, 1, DigitDataset.Side, DigitDataset.Side]), tensor(labels));
    }

    public void Dispose() => _images.Dispose();
}
