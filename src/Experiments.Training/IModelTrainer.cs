using Experiments.Training.Checkpoints;

namespace Experiments.Training;

/// <summary>
/// The engine contract the actors drive: one call = one optimizer step, so stop and cancel
/// messages interleave between steps. Not thread-safe: a trainer lives on one thread
/// (torch's thread count and dispose scopes are per thread).
/// </summary>
public interface IModelTrainer : IDisposable
{
    int BatchSize { get; }

    /// <summary>One optimisation step on the samples at <paramref name="batch"/>; returns its losses by metric name.</summary>
    IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch);

    /// <summary>Validation metrics (by metric name) on the samples at <paramref name="indices"/>, in eval mode, without gradients.</summary>
    IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices);

    /// <summary>Writes model, optimizer and RNG state atomically, with a checksum.</summary>
    void SaveCheckpoint(string path, CheckpointMeta meta);

    /// <summary>Restores what <see cref="SaveCheckpoint"/> wrote; throws <see cref="CheckpointException"/> if the file is damaged.</summary>
    CheckpointMeta LoadCheckpoint(string path);
}
