using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

internal static class TestFiles
{
    /// <summary>The checkout's root: the folder above the test binaries that holds experiments.hocon.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string InvalidSpecs => Path.Combine(AppContext.BaseDirectory, "Specs", "Invalid");

    /// <summary>
    /// A host stand-in: a dataset with a limit has limit/10 samples in each of ten classes; without
    /// one the counts are unknown (null), so the check is skipped.
    /// </summary>
    public static SpecContext Context { get; } = ContextWith(
        ClassCounts: d => d.Limit is { } n ? Enumerable.Range(0, 10).ToDictionary(c => c, _ => n / 10) : null);

    /// <summary>The program's models, nothing known of datasets.</summary>
    public static SpecContext Plain { get; } = ContextWith();

    /// <summary>A spec context with the program's registered models.</summary>
    public static SpecContext ContextWith(
        Func<DatasetSpec, IReadOnlyDictionary<int, int>?>? ClassCounts = null, Func<string, bool>? FileExists = null) =>
        new SpecContext(ClassCounts, FileExists) { Models = Training.Models.Registry };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Directory.Packages.props above " + AppContext.BaseDirectory);
    }
}
