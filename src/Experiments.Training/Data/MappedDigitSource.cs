using Experiments.Core.Spec;
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
        if (IdxHeader.IsGzip(imagesPath))
            throw new DatasetException($"{imagesPath}: a compressed file cannot be memory-mapped; decompress it first (gunzip -k)") { Part = DatasetPart.Images };
        _images = DigitFiles.OpenImages(imagesPath);
        try
        {
            _labels = DigitFiles.CheckedLabels(_images.Header, labelsPath).Take(limit ?? int.MaxValue).Select(b => (int)b).ToArray();
        }
        catch
        {
            _images.Dispose();
            throw;
        }
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
