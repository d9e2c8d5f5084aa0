using Experiments.Core.Spec;

namespace Experiments.Training.Data;

/// <summary>
/// The checks of an images/labels pair of digits, in one place for validate, the preloaded loader
/// and the memory-mapped source, so that all three say the same thing about the same files.
/// Each failure is a <see cref="DatasetException"/> whose <see cref="DatasetException.Part"/> says which file.
/// </summary>
public static class DigitFiles
{
    public const int Side = 28;

    /// <summary>The images' header only (validate): cheap for raw files, streamed through for .gz.</summary>
    public static IdxHeader ReadImagesHeader(string path) => In(DatasetPart.Images, () => IdxHeader.Read(path, 3));

    /// <summary>The images with their data (the loaders).</summary>
    public static IdxFile OpenImages(string path) => In(DatasetPart.Images, () => IdxFile.Open(path, 3));

    /// <summary>Checks the images' header against the labels file and returns every label (each a digit 0-9).</summary>
    public static byte[] CheckedLabels(IdxHeader images, string labelsPath)
    {
        if (images.Dimensions[1] != Side || images.Dimensions[2] != Side)
            throw Fault(DatasetPart.Images, $"{images.Path}: images are {images.Dimensions[1]}x{images.Dimensions[2]}, expected {Side}x{Side}");
        if (images.Count == 0) throw Fault(DatasetPart.Images, $"{images.Path}: holds no images");
        var labels = In(DatasetPart.Labels, () =>
        {
            using var file = IdxFile.Open(labelsPath, 1);
            return file.ReadAll();
        });
        if (images.Count != labels.Length)
            throw Fault(DatasetPart.Both, $"{images.Path} holds {images.Count} images but {labelsPath} holds {labels.Length} labels");
        // Every label, not only those under the limit: a label past 9 means the file is not what it claims.
        var notDigit = Array.FindIndex(labels, l => l > 9);
        if (notDigit >= 0) throw Fault(DatasetPart.Labels, $"{labelsPath}: label {labels[notDigit]} at index {notDigit} is not a digit 0-9");
        return labels;
    }

    private static DatasetException Fault(DatasetPart part, string message) => new(message) { Part = part };

    private static T In<T>(DatasetPart part, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DatasetException e)
        {
            throw new DatasetException(e.Message, e.InnerException) { Part = part };
        }
    }
}
