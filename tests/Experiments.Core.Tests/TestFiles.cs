using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

internal static class TestFiles
{
    /// <summary>The checkout's root: the folder above the test binaries that holds experiments.hocon.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string InvalidSpecs => Path.Combine(AppContext.BaseDirectory, "Specs", "Invalid");

    /// <summary>
    /// A host stand-in: a dataset with a limit has at least limit/10 samples in each of ten classes;
    /// without one the counts are unknown (null), so the check is skipped.
    /// </summary>
    public static SpecContext Context { get; } = ContextWith(
        Dataset: d => d.Limit is { } n ? DatasetSummary.FromLabels("labels", [.. Enumerable.Range(0, n).Select(i => (byte)(i % 10))], n) : null);

    /// <summary>The program's models, nothing known of datasets.</summary>
    public static SpecContext Plain { get; } = ContextWith();

    /// <summary>A spec context with the program's registered models.</summary>
    public static SpecContext ContextWith(
        Func<DatasetSpec, DatasetSummary?>? Dataset = null, Func<string, bool>? FileExists = null) =>
        new SpecContext(Dataset, FileExists) { Models = Training.Models.Registry };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Directory.Packages.props above " + AppContext.BaseDirectory);
    }
}
