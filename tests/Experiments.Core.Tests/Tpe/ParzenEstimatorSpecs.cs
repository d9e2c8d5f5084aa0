using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Tpe;

/// <summary>
/// Expected mixture weights, mus, sigmas and log-densities: Optuna v4.9.0's _ParzenEstimator
/// (optuna/samplers/_tpe/parzen_estimator.py, git tag v4.9.0, numpy 1.24 on Debian 12) built with
/// prior_weight 1, consider_magic_clip on, consider_endpoints off unless said, default_weights, on the
/// same observations and distributions (FloatDistribution, log=True, IntDistribution with step,
/// CategoricalDistribution), printed with repr() by Reference/optuna_reference.py.
/// </summary>
public sealed class ParzenEstimatorSpecs
{
    private static readonly NumericalDimension Uniform10 = new("x", 0, 10, 0, false);

    private static ParzenEstimator Fit(TpeDimension dimension, double[] observed, TpeSettings? settings = null) =>
        new([dimension], observed.Select(x => new[] { x }).ToList(), settings ?? TpeSettings.Default);

    private static void Matches(ParzenEstimator estimator, double[] weights, double[] mus, double[] sigmas, double[] points, double[] logPdfs)
    {
        Near.All(weights, estimator.Weights);
        var kernels = Assert.IsType<NumericalKernels>(Assert.Single(estimator.Kernels));
        Near.All(mus, kernels.Mus);
        Near.All(sigmas, kernels.Sigmas);
        Near.All(logPdfs, points.Select(p => estimator.LogPdf([p])).ToList(), 1e-11);
    }

    [Fact]
    public void Uniform_bandwidths_are_the_larger_neighbour_gap_with_the_outermost_taking_their_inner_gap() =>
        Matches(Fit(Uniform10, [2.0, 5.0, 3.0, 9.0]),
            weights: [0.2, 0.2, 0.2, 0.2, 0.2],
            mus: [2.0, 5.0, 3.0, 9.0, 5.0],
            sigmas: [1.6666666666666667, 4.0, 2.0, 4.0, 10.0],
            points: [0.5, 3.3, 7.7, 10.0],
            logPdfs: [-2.391649540053917, -1.979355471269449, -2.5856064216885573, -2.7642005884262457]);

    [Fact]
    public void Considering_endpoints_lets_the_outermost_bandwidths_reach_the_bounds() =>
        Matches(Fit(Uniform10, [2.0, 5.0, 3.0, 9.0], TpeSettings.Default with { ConsiderEndpoints = true }),
            weights: [0.2, 0.2, 0.2, 0.2, 0.2],
            mus: [2.0, 5.0, 3.0, 9.0, 5.0],
            sigmas: [2.0, 4.0, 2.0, 4.0, 10.0],
            points: [0.5, 3.3, 7.7, 10.0],
            logPdfs: [-2.3948081185701486, -1.9904173133694913, -2.5768745390894034, -2.76395675018791]);

    [Fact]
    public void Without_observations_only_the_prior_is_left() =>
        Matches(Fit(Uniform10, []), [1.0], [5.0], [10.0], [1.0, 5.0], [-2.341607292503096, -2.261607292503096]);

    [Fact]
    public void One_observation_measures_its_gap_to_the_far_bound() =>
        Matches(Fit(Uniform10, [8.0]), [0.5, 0.5], [8.0, 5.0], [8.0, 10.0], [1.0, 8.0], [-2.444999723712837, -2.2399798016659256]);

    [Fact]
    public void Log_domains_are_modelled_in_log_space() =>
        Matches(Fit(new NumericalDimension("lr", 1e-4, 1e-1, 0, true), [1e-3, 3e-3, 5e-2]),
            weights: [0.25, 0.25, 0.25, 0.25],
            mus: [-6.907755278982137, -5.809142990314028, -2.995732273553991, -5.756462732485113],
            sigmas: [1.3815510557964275, 2.813410716760037, 2.813410716760037, 6.907755278982137],
            points: [1e-4, 2e-3, 0.07],
            logPdfs: [-2.533773155642831, -1.7091328695322394, -2.125752904456181]);

    [Fact]
    public void Integer_steps_widen_the_bounds_by_half_a_step_and_take_the_mass_of_each_step() =>
        Matches(Fit(Assert.IsType<NumericalDimension>(TpeDimension.Of(new IntRangeDomain("hidden", 32, 256, 32))), [64, 64, 128, 256]),
            weights: [0.2, 0.2, 0.2, 0.2, 0.2],
            mus: [64.0, 64.0, 128.0, 256.0, 144.0],
            sigmas: [42.666666666666664, 64.0, 128.0, 128.0, 256.0],
            points: [32, 64, 160, 256],
            logPdfs: [-1.8920112757558034, -1.7065247487281299, -2.241365214641818, -2.520603860934605]);

    [Fact]
    public void Beyond_25_observations_older_ones_weigh_less_and_the_magic_clip_floors_bandwidths()
    {
        var observed = Enumerable.Range(0, 30).Select(i => i * 37 % 101 / 10.0).ToArray();
        var estimator = Fit(new NumericalDimension("x", 0, 10.1, 0, false), observed);

        Near.All([0.0011661807580174927, 0.009620991253644314, 0.018075801749271137, 0.026530612244897955], estimator.Weights.Take(4).ToList());
        Near.All(Enumerable.Repeat(0.034985422740524776, 27).ToList(), estimator.Weights.Skip(4).ToList());
        var sigmas = Assert.IsType<NumericalKernels>(estimator.Kernels[0]).Sigmas;
        Near.All([0.315625, 0.40000000000000036, 0.40000000000000036, 0.4], sigmas.Take(4).ToList());
        Near.All([0.315625, 0.315625], [sigmas[11], sigmas[19]]);
        Near.Equal(10.1, sigmas[^1]);
        Near.All([-2.793087135416145, -2.150565337558488, -2.8921085917412426], new[] { 0.05, 5.0, 9.95 }.Select(p => estimator.LogPdf([p])).ToList(), 1e-11);
    }

    [Fact]
    public void Categorical_kernels_put_one_plus_a_share_of_the_prior_on_the_observed_choice()
    {
        var dimension = new CategoricalDimension("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd"), ParamValue.Of("rmsprop")]);
        var estimator = Fit(dimension, [0, 0, 2]);

        Near.All([0.25, 0.25, 0.25, 0.25], estimator.Weights);
        var rows = Assert.IsType<CategoricalKernels>(Assert.Single(estimator.Kernels)).Weights;
        Near.All([0.7142857142857143, 0.14285714285714285, 0.14285714285714285], rows[0]);
        Near.All([0.14285714285714285, 0.14285714285714285, 0.7142857142857143], rows[2]);
        Near.All([1 / 3.0, 1 / 3.0, 1 / 3.0], rows[3]);
        Near.All([-0.7419373447293773, -1.6582280766035324, -1.0986122886681098], new[] { 0.0, 1, 2 }.Select(p => estimator.LogPdf([p])).ToList());
    }

    [Fact]
    public void Multivariate_kernels_share_one_scott_bandwidth_per_dimension_and_one_weight_per_observation()
    {
        TpeDimension[] dimensions =
        [
            new NumericalDimension("learning-rate", 1e-4, 1e-1, 0, true),
            TpeDimension.Of(new IntRangeDomain("hidden", 32, 256, 32))!,
            new CategoricalDimension("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")]),
        ];
        var estimator = new ParzenEstimator(dimensions, [[1e-3, 64, 0], [2e-2, 256, 1], [5e-4, 128, 0]], TpeSettings.Default with { Multivariate = true });

        Near.All([0.25, 0.25, 0.25, 0.25], estimator.Weights);
        var lr = Assert.IsType<NumericalKernels>(estimator.Kernels[0]);
        Near.All([-6.907755278982137, -3.912023005428146, -7.600902459542082, -5.756462732485113], lr.Mus);
        Near.All([1.3815510557964275, 1.3815510557964275, 1.3815510557964275, 6.907755278982137], lr.Sigmas);
        var hidden = Assert.IsType<NumericalKernels>(estimator.Kernels[1]);
        Near.All([51.2, 51.2, 51.2, 256.0], hidden.Sigmas);
        Near.All([0.8333333333333334, 0.16666666666666666], Assert.IsType<CategoricalKernels>(estimator.Kernels[2]).Weights[0]);
        Near.Equal(-3.5697619617342076, estimator.LogPdf([1e-3, 64, 0]), 1e-11);
        Near.Equal(-4.9342204505257055, estimator.LogPdf([1e-2, 160, 1]), 1e-11);
    }

    [Fact]
    public void Continuous_density_integrates_to_one_and_samples_follow_it()
    {
        var estimator = Fit(Uniform10, [2.0, 5.0, 3.0, 9.0, 2.5]);
        var random = new SplitMix64(11);
        var samples = estimator.Sample(random, 20_000).Select(p => p[0]).Order().ToArray();

        // Midpoint rule on a fine grid: the density's integral and its CDF at each sample.
        const int Cells = 20_000;
        var cdf = new double[Cells + 1];
        for (var i = 0; i < Cells; i++) cdf[i + 1] = cdf[i] + Math.Exp(estimator.LogPdf([(i + 0.5) * 10.0 / Cells])) * 10.0 / Cells;
        Near.Equal(1.0, cdf[^1], 1e-6);
        var ks = samples.Select((x, i) => Math.Abs(cdf[(int)Math.Min(Cells, x / 10.0 * Cells)] - (i + 0.5) / samples.Length)).Max();

        Assert.All(samples, x => Assert.InRange(x, 0, 10));
        Assert.True(ks < 0.015, $"Kolmogorov–Smirnov distance {ks:0.####} between samples and density"); // 1.36/√20000 ≈ 0.0096 at 5 %
    }

    [Fact]
    public void Integer_samples_land_on_steps_with_the_frequencies_of_their_masses()
    {
        var dimension = (NumericalDimension)TpeDimension.Of(new IntRangeDomain("hidden", 32, 256, 32))!;
        var estimator = Fit(dimension, [64, 64, 128, 256]);
        var steps = Enumerable.Range(0, 8).Select(i => 32.0 + 32 * i).ToArray();
        var masses = steps.Select(x => Math.Exp(estimator.LogPdf([x]))).ToArray();

        var samples = estimator.Sample(new SplitMix64(5), 40_000).Select(p => p[0]).ToList();

        Near.Equal(1.0, masses.Sum(), 1e-12);
        Assert.All(samples, x => Assert.Contains(x, steps));
        for (var i = 0; i < steps.Length; i++)
            Assert.InRange(samples.Count(x => x == steps[i]) / 40_000.0, masses[i] - 0.01, masses[i] + 0.01);
    }

    [Fact]
    public void Categorical_samples_follow_the_mixed_choice_weights()
    {
        var dimension = new CategoricalDimension("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd"), ParamValue.Of("rmsprop")]);
        var estimator = Fit(dimension, [0, 0, 2]);

        var samples = estimator.Sample(new SplitMix64(9), 40_000).Select(p => (int)p[0]).ToList();

        for (var choice = 0; choice < 3; choice++)
            Assert.InRange(samples.Count(c => c == choice) / 40_000.0, Math.Exp(estimator.LogPdf([choice])) - 0.01, Math.Exp(estimator.LogPdf([choice])) + 0.01);
    }

    [Fact]
    public void Log_samples_stay_inside_the_domain_and_follow_the_density_in_log_space()
    {
        var dimension = new NumericalDimension("lr", 1e-5, 1e-1, 0, true);
        var estimator = Fit(dimension, [1e-3, 3e-3, 5e-2]);
        var samples = estimator.Sample(new SplitMix64(3), 20_000).Select(p => p[0]).ToList();

        // The mass below 1e-3 (in log space: a CDF over ln x) against the share of samples below it.
        var (lo, hi, cut) = (Math.Log(1e-5), Math.Log(1e-1), Math.Log(1e-3));
        const int Cells = 20_000;
        var massBelow = Enumerable.Range(0, Cells).Select(i => lo + (i + 0.5) * (hi - lo) / Cells)
            .Where(u => u < cut).Sum(u => Math.Exp(estimator.LogPdf([Math.Exp(u)])) * (hi - lo) / Cells);

        Assert.All(samples, x => Assert.InRange(x, 1e-5, 1e-1));
        Assert.InRange(samples.Count(x => x < 1e-3) / 20_000.0, massBelow - 0.015, massBelow + 0.015);
    }
}
