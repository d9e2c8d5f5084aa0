using Experiments.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Data;

/// <summary>
/// A digits dataset loaded once into read-only tensors: images [N,1,28,28] float32 in [0, 1] and
/// labels [N] int64. Shared by every trial of a host; trials select batches by index, never copy it.
/// </summary>
public sealed class DigitDataset : IDigitSource
{
    public const int Side = DigitFiles.Side;

    public string Name { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    /// <summary>The labels as plain integers, for fold splitting without touching torch.</summary>
    public IReadOnlyList<int> LabelArray { get; }
    public int Count => LabelArray.Count;

    private DigitDataset(string name, Tensor images, Tensor labels, int[] labelArray)
    {
        Name = name;
        Images = images;
        Labels = labels;
        LabelArray = labelArray;
    }

    /// <summary>Loads the dataset a sweep names: the default digits (fetched on first use) or IDX files.</summary>
    public static DigitDataset Load(DatasetSpec spec, string? cacheDirectory = null)
    {
        var (images, labels) = spec.IsDefault
            ? DefaultDigits.Ensure(cacheDirectory)
            : (spec.Images ?? throw new DatasetException($"dataset '{spec.Name}': no images file"),
               spec.Labels ?? throw new DatasetException($"dataset '{spec.Name}': no labels file"));
        return FromIdx(spec.IsDefault ? spec.Name : images, images, labels, spec.Limit);
    }

    /// <summary>The source a sweep's dataset asks for: preloaded tensors, or a memory map when <see cref="DatasetSpec.MemoryMapped"/>.</summary>
    public static IDigitSource Open(DatasetSpec spec, string? cacheDirectory = null) =>
        spec is { MemoryMapped: true, Images: { } images, Labels: { } labels }
            ? new MappedDigitSource(images, labels, spec.Limit)
            : Load(spec, cacheDirectory);

    public static DigitDataset FromIdx(string name, string imagesPath, string labelsPath, int? limit = null)
    {
        using var images = DigitFiles.OpenImages(imagesPath);
        var labelBytes = DigitFiles.CheckedLabels(images.Header, labelsPath);
        var count = Math.Min(images.Count, limit ?? int.MaxValue);
        var labelArray = new int[count];
        for (var i = 0; i < count; i++) labelArray[i] = labelBytes[i];

        var pixels = new float[(long)count * Side * Side];
        var item = new byte[Side * Side];
        for (var i = 0; i < count; i++)
        {
            images.CopyItem(i, item);
            var offset = (long)i * Side * Side;
            for (var p = 0; p < item.Length; p++) pixels[offset + p] = item[p] / 255f;
        }

        TorchRuntime.EnsureLoaded();
        // Detached from any dispose scope: the dataset outlives every training step.
        var imageTensor = tensor(pixels, [count, 1, Side, Side]).DetachFromDisposeScope();
        var labelTensor = tensor(labelArray.Select(l => (long)l).ToArray(), [count]).DetachFromDisposeScope();
        return new DigitDataset(name, imageTensor, labelTensor, labelArray);
    }

    /// <summary>Class counts, for validating fold counts against the smallest class.</summary>
    public IReadOnlyDictionary<int, int> ClassCounts() =>
        LabelArray.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>A batch by index: images [B,1,28,28] and labels [B], owned by the caller's dispose scope.</summary>
    public (Tensor Images, Tensor Labels) Batch(ReadOnlySpan<int> indices)
    {
        var idx = new long[indices.Length];
        for (var i = 0; i < idx.Length; i++) idx[i] = indices[i];
        using var index = tensor(idx);
        return (Images.index_select(0, index), Labels.index_select(0, index));
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
