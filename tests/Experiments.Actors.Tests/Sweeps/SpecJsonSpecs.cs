using System.Security.Cryptography;
using System.Text;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>Issue #13: a sweep's identity does not depend on where its folder happens to live.</summary>
public sealed class SpecJsonSpecs
{
    private static SweepSpec LoadedFrom(string folder, string images = "data/images-idx3-ubyte")
    {
        var text = $"experiments.sweeps = [{{ name = moved, model = cnn, dataset {{ images = \"{images}\", labels = \"data/labels-idx1-ubyte\" }} }}]";
        var context = Experiments.Training.Models.Context(new SpecContext(FileExists: _ => true));
        var result = SpecLoader.LoadText(text, "moved.hocon", folder, context);
        Assert.True(result.IsValid, SpecReport.Render(result));
        return Assert.Single(result.Sweeps);
    }

    [Fact]
    public void Should_give_a_sweep_the_same_digest_when_its_folder_moves()
    {
        var before = LoadedFrom("/home/a/sweeps");
        var after = LoadedFrom("/mnt/archive/sweeps");

        Assert.NotEqual(before.Dataset.Images, after.Dataset.Images);
        Assert.Equal(SpecJson.Digest(before), SpecJson.Digest(after));
    }

    [Fact]
    public void Should_give_a_sweep_a_new_digest_when_it_names_other_files() =>
        Assert.NotEqual(SpecJson.Digest(LoadedFrom("/d")), SpecJson.Digest(LoadedFrom("/d", images: "data/other-idx3-ubyte")));

    [Fact]
    public void Should_keep_the_digest_of_a_sweep_on_the_default_dataset_as_it_was()
    {
        var spec = TinySweeps.Cnn("default");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SpecJson.Serialize(spec))))[..12], SpecJson.Digest(spec));
    }

    [Fact]
    public void Should_keep_the_digest_through_the_journal_round_trip()
    {
        var spec = LoadedFrom("/home/a/sweeps");
        var replayed = SpecJson.Deserialize(SpecJson.Serialize(spec));

        Assert.Equal(SpecJson.Serialize(spec), SpecJson.Serialize(replayed));
        Assert.Equal(SpecJson.Digest(spec), SpecJson.Digest(replayed));
        Assert.Equal("/home/a/sweeps/data/images-idx3-ubyte", replayed.Dataset.Images);
    }
}
