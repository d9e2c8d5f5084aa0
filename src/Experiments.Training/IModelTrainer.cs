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

    /// <summary>Model, optimizer and RNG state as named byte sections (taken on the trainer's thread, written elsewhere).</summary>
    IReadOnlyDictionary<string, byte[]> CaptureState();

    /// <summary>Restores what <see cref="CaptureState"/> took; <paramref name="source"/> names the file in errors.</summary>
    void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source);
}

/// <summary>Checkpoint files of any trainer: its captured state, written atomically with a checksum.</summary>
public static class ModelTrainerCheckpoints
{
    public static void SaveCheckpoint(this IModelTrainer trainer, string path, CheckpointMeta meta) =>
        CheckpointFile.Write(path, meta, trainer.CaptureState());

    /// <summary>Restores a checkpoint file; throws <see cref="CheckpointException"/> if it is damaged.</summary>
    public static CheckpointMeta LoadCheckpoint(this IModelTrainer trainer, string path)
    {
        var (meta, sections) = CheckpointFile.Read(path);
        trainer.RestoreState(sections, path);
        return meta;
    }
}
