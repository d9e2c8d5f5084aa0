using System.Text;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

/// <summary>
/// Every file in Specs/Invalid is malformed or invalid; its first line, "# expect: fragment", is
/// a fragment the loader's report must contain (file:line:column for syntax, file:line: key for values).
/// </summary>
public sealed class InvalidSpecCorpusTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestFiles.InvalidSpecs, "*.hocon").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Should_hold_at_least_thirty_invalid_specs() =>
        Assert.True(Files().Count >= 30, $"only {Files().Count} files in the corpus");

    [Theory]
    [MemberData(nameof(Files))]
    public void Should_reject_each_invalid_spec_with_the_expected_located_message(string fileName)
    {
        var path = Path.Combine(TestFiles.InvalidSpecs, fileName);
        var expected = ExpectedFragment(path);

        var result = SpecLoader.LoadFile(path, TestFiles.Context);

        Assert.False(result.IsValid);
        Assert.Empty(result.Sweeps);
        var report = string.Join("\n", result.Errors);
        Assert.True(report.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{report}");
        Assert.All(result.Errors, e => Assert.StartsWith(path, e.ToString()));
        Assert.DoesNotContain("   at ", report);
    }

    [Fact]
    public void Should_collect_every_error_of_a_file_rather_than_stop_at_the_first()
    {
        var result = SpecLoader.LoadFile(Path.Combine(TestFiles.InvalidSpecs, "collects-every-error.hocon"), TestFiles.Context);

        Assert.Contains(result.Errors, e => e.Path == "sweeps[0].training.max-epochs");
        Assert.Contains(result.Errors, e => e.Path == "sweeps[0].retries");
    }

    private static string ExpectedFragment(string path)
    {
        var firstLine = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n')[0];
        const string marker = "# expect: ";
        Assert.StartsWith(marker, firstLine);
        return firstLine[marker.Length..];
    }
}
