using Experiments.Core.Spec;

namespace Experiments.Training.Data;

/// <summary>
/// A dataset file or source that cannot be used; the message names the file and what is wrong,
/// <see cref="Part"/> which file it is (so that validate can point at the spec's key).
/// </summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner)
{
    public DatasetPart Part { get; init; } = DatasetPart.Both;
}
