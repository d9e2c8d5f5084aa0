using static TorchSharp.torch;

namespace Experiments.Training.Data;

/// <summary>Digits that trials draw batches from by index: preloaded tensors, or a memory-mapped IDX file.</summary>
public interface IDigitSource : IDisposable
{
    string Name { get; }
    int Count { get; }
    IReadOnlyList<int> LabelArray { get; }

    /// <summary>Images [B,1,28,28] float32 in [0, 1] and labels [B] int64, owned by the caller's dispose scope.</summary>
    (Tensor Images, Tensor Labels) Batch(ReadOnlySpan<int> indices);
}
