using System.Collections.Immutable;

namespace Experiments.Core.Spec;

/// <summary>Which of a dataset's files a problem is in: the images, the labels, or both (the pair disagrees).</summary>
public enum DatasetPart { Both, Images, Labels }

/// <summary>A dataset file that cannot be used, with the loader's own message.</summary>
public sealed record DatasetProblem(DatasetPart Part, string Message);

/// <summary>
/// What the host learnt of a dataset's files for validation: a problem that makes them unusable, or
/// the samples per class in the labels file and in the samples used (the first <c>limit</c>).
/// </summary>
public sealed record DatasetSummary(string LabelsFile, ImmutableSortedDictionary<int, int> FileClasses, ImmutableSortedDictionary<int, int> UsedClasses)
{
    public DatasetProblem? Problem { get; init; }

    public static DatasetSummary Unusable(DatasetPart part, string message) =>
        new("", ImmutableSortedDictionary<int, int>.Empty, ImmutableSortedDictionary<int, int>.Empty) { Problem = new(part, message) };

    public static DatasetSummary FromLabels(string labelsFile, IReadOnlyList<byte> labels, int? limit) =>
        new(labelsFile, Count(labels, labels.Count), Count(labels, Math.Min(labels.Count, limit ?? int.MaxValue)));

    private static ImmutableSortedDictionary<int, int> Count(IReadOnlyList<byte> labels, int first)
    {
        var counts = new SortedDictionary<int, int>();
        for (var i = 0; i < first; i++) counts[labels[i]] = counts.GetValueOrDefault(labels[i]) + 1;
        return counts.ToImmutableSortedDictionary();
    }
}

/// <summary>What a dataset's summary means for a sweep: errors and warnings, each at a key under the sweep.</summary>
internal static class DatasetRules
{
    public sealed record Finding(string Key, string Message, bool IsWarning);

    public static IEnumerable<Finding> Check(DatasetSpec dataset, ModelKind? model, DatasetSummary summary)
    {
        if (summary.Problem is { } problem)
        {
            yield return new(problem.Part switch { DatasetPart.Images => "dataset.images", DatasetPart.Labels => "dataset.labels", _ => "dataset" },
                problem.Message, false);
            yield break;
        }
        var used = summary.UsedClasses;
        var inFile = summary.FileClasses;
        var cutByLimit = used.Count < inFile.Count;
        // A classifier cannot learn from one class (and would report accuracy 1.0); a GAN may learn one digit on purpose.
        if (model == ModelKind.Cnn && used.Count == 1)
        {
            yield return cutByLimit
                ? new("dataset.limit", $"the first {dataset.Limit} samples are all of class {used.Keys.Single()} ({summary.LabelsFile} holds {inFile.Count} classes, " +
                    "sorted by class?): a classifier needs at least 2 classes; raise the limit or shuffle the files", false)
                : new("dataset.labels", $"{summary.LabelsFile}: every label is {used.Keys.Single()}: a classifier needs at least 2 classes", false);
            yield break;
        }
        if (cutByLimit)
            yield return new("dataset.limit", $"the first {dataset.Limit} samples hold {used.Count} of the {inFile.Count} classes in {summary.LabelsFile}; " +
                $"missing: {string.Join(", ", inFile.Keys.Except(used.Keys))} (sorted by class?)", true);
    }
}
