using Experiments.Training.Gan;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Gan;

public class FrechetDistanceSpecs
{
    [Fact]
    public void Should_be_zero_for_identical_sets()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(1);
        var features = rand(500, 32, generator: generator);
        Assert.Equal(0, FrechetDistance.Between(features, features.clone()), 6);
    }

    [Fact]
    public void Should_equal_the_squared_mean_shift_for_sets_that_differ_only_by_a_shift()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(2);
        var features = randn(400, 16, generator: generator);
        var shift = full(16, 0.5);
        Assert.Equal(16 * 0.25, FrechetDistance.Between(features, features + shift), 5);
    }

    [Fact]
    public void Should_match_the_closed_form_for_two_diagonal_gaussians()
    {
        // Σ₁ = diag(a²), Σ₂ = diag(b²): Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) = Σ (a − b)². Exact moments come from
        // ± columns: rows {+a, −a} have mean 0 and (unbiased, n = 2) variance 2a².
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 1, 2, 3 });
        var b = tensor(new double[] { 2, 2, 1 });
        var first = stack([a, -a]);
        var second = stack([b, -b]);
        var expected = 2 * ((1 - 2) * (1 - 2) + 0 + (3 - 1) * (3 - 1));
        Assert.Equal(expected, FrechetDistance.Between(first, second), 6);
    }

    [Fact]
    public void Should_reject_feature_sets_of_different_widths()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between(zeros(10, 3), zeros(10, 4)));
    }
}

public class ClassCoverageSpecs
{
    [Fact]
    public void Should_be_one_when_all_ten_classes_appear_equally_often()
    {
        var coverage = ClassCoverage.Of(Enumerable.Range(0, 100).Select(i => (long)(i % 10)).ToArray());
        Assert.Equal(1, coverage.NormalisedEntropy, 12);
        Assert.Equal(10, coverage.ClassesSeen);
    }

    [Fact]
    public void Should_be_zero_when_every_digit_is_one_class_as_in_mode_collapse()
    {
        var coverage = ClassCoverage.Of(Enumerable.Repeat(7L, 50).ToArray());
        Assert.Equal(0, coverage.NormalisedEntropy, 12);
        Assert.Equal(1, coverage.ClassesSeen);
    }

    [Fact]
    public void Should_be_log_two_over_log_ten_for_two_classes_half_and_half()
    {
        var coverage = ClassCoverage.Of([3, 3, 8, 8]);
        Assert.Equal(Math.Log(2) / Math.Log(10), coverage.NormalisedEntropy, 12);
        Assert.Equal(2, coverage.ClassesSeen);
    }
}

public class GanHyperParametersSpecs
{
    [Fact]
    public void Should_read_the_catalog_defaults()
    {
        Assert.Equal(new GanHyperParameters(64, 2e-4, 2e-4, 64, 1.0, 0.0), GanHyperParameters.Default);
    }

    [Fact]
    public void Should_read_every_gan_parameter_by_its_catalog_name()
    {
        var set = GanModel.Definition.Defaults
            .With("z-size", Experiments.Core.Spec.ParamValue.Of(32))
            .With("g-learning-rate", Experiments.Core.Spec.ParamValue.Of(1e-3))
            .With("d-learning-rate", Experiments.Core.Spec.ParamValue.Of(5e-4))
            .With("batch-size", Experiments.Core.Spec.ParamValue.Of(128))
            .With("width", Experiments.Core.Spec.ParamValue.Of(0.5))
            .With("label-smoothing", Experiments.Core.Spec.ParamValue.Of(0.1));
        Assert.Equal(new GanHyperParameters(32, 1e-3, 5e-4, 128, 0.5, 0.1), GanHyperParameters.From(set));
    }
}
