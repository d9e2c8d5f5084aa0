using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

/// <summary>What the loader makes of the host's summary of a sweep's dataset: errors and warnings at the dataset's keys.</summary>
public sealed class DatasetChecksTests
{
    private static string Spec(string model = "cnn") => $$"""
        experiments.sweeps = [{
          name = a
          model = {{model}}
          dataset {
            name = mnist-default
            limit = 20
          }
        }]
        """;

    private static SpecLoadResult Load(DatasetSummary summary, string model = "cnn") =>
        SpecLoader.LoadText(Spec(model), "t.hocon", "/tmp", TestFiles.ContextWith(Dataset: _ => summary));

    private static DatasetSummary ClassSorted(int perClass) =>
        DatasetSummary.FromLabels("labels", [.. Enumerable.Range(0, 10 * perClass).Select(i => (byte)(i / perClass))], 20);

    [Theory]
    [InlineData(DatasetPart.Images, "dataset.images", 4)]
    [InlineData(DatasetPart.Labels, "dataset.labels", 4)]
    [InlineData(DatasetPart.Both, "dataset", 4)]
    public void Should_report_a_dataset_problem_at_the_key_of_its_file(DatasetPart part, string key, int line)
    {
        var result = Load(DatasetSummary.Unusable(part, "x: bad magic number"));

        Assert.Equal($"t.hocon:{line}: sweeps[0].{key}: x: bad magic number", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_refuse_a_classifier_whose_samples_are_of_one_class()
    {
        var result = Load(ClassSorted(20));

        Assert.Equal("t.hocon:6: sweeps[0].dataset.limit: the first 20 samples are all of class 0 (labels holds 10 classes, sorted by class?): " +
            "a classifier needs at least 2 classes; raise the limit or shuffle the files", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_warn_without_failing_when_the_limit_leaves_classes_out()
    {
        var result = Load(ClassSorted(10));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("t.hocon:6: sweeps[0].dataset.limit: warning: the first 20 samples hold 2 of the 10 classes in labels; " +
            "missing: 2, 3, 4, 5, 6, 7, 8, 9 (sorted by class?)", warning.ToString());
        Assert.EndsWith(warning.ToString(), SpecReport.Render(result));
    }

    [Fact]
    public void Should_only_warn_a_gan_of_one_class()
    {
        var result = Load(ClassSorted(20), model: "gan");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains("hold 1 of the 10 classes", Assert.Single(result.Warnings).Message);
    }

    [Fact]
    public void Should_say_nothing_when_every_class_is_in_the_samples_used()
    {
        var result = Load(DatasetSummary.FromLabels("labels", [.. Enumerable.Range(0, 100).Select(i => (byte)(i % 2))], 20));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
    }
}
