using System.Collections.Immutable;

namespace Experiments.Core.Search.Tpe;

/// <summary>The kernels of one dimension: one per observation, then the prior's, last.</summary>
public abstract record DimensionKernels;

/// <summary>
/// Gaussians truncated to the dimension's kernel bounds, in kernel space (log space for log domains).
/// Integers take the Gaussian's mass over [x − step/2, x + step/2], as Optuna's discrete distributions do.
/// </summary>
public sealed record NumericalKernels(NumericalDimension Dimension, ImmutableArray<double> Mus, ImmutableArray<double> Sigmas) : DimensionKernels
{
    /// <summary>log of each kernel's mass inside the bounds: the truncation's normaliser.</summary>
    internal ImmutableArray<double> LogMasses { get; } = Mus.Select((mu, k) => TruncatedNormal.LogMass(
        (Dimension.KernelLow - mu) / Sigmas[k], (Dimension.KernelHigh - mu) / Sigmas[k])).ToImmutableArray();
}

/// <summary>A distribution over the choices per kernel: Weights[kernel][choice], each row summing to 1.</summary>
public sealed record CategoricalKernels(CategoricalDimension Dimension, ImmutableArray<ImmutableArray<double>> Weights) : DimensionKernels;

/// <summary>
/// A mixture of product kernels over one or more dimensions, fitted to observations as Optuna's
/// _ParzenEstimator (v4.9) does: one kernel per observation (weighted by <see cref="TpeRules.ObservationWeights"/>)
/// plus a prior kernel of weight <see cref="TpeSettings.PriorWeight"/> spanning the whole domain.
/// Bandwidths: univariate, the larger gap to a sorted neighbour (the domain's ends count as neighbours
/// unless ConsiderEndpoints is off, where the outermost take their inner gap); multivariate, Scott-like
/// 0.2 n^(−1/(d+4)) × range; both clipped to [range / min(100, kernels + 1), range] by the magic clip.
/// </summary>
public sealed class ParzenEstimator
{
    /// <param name="observations">One row per observation in config-id order, one internal value per dimension.</param>
    public ParzenEstimator(IReadOnlyList<TpeDimension> dimensions, IReadOnlyList<double[]> observations, TpeSettings settings)
    {
        Weights = MixtureWeights(observations.Count, settings);
        Kernels = dimensions.Select((dimension, d) =>
        {
            var column = observations.Select(row => row[d]).ToArray();
            return dimension switch
            {
                NumericalDimension n => (DimensionKernels)Numerical(n, column, dimensions.Count, settings),
                CategoricalDimension c => Categorical(c, column, settings),
                _ => throw new ArgumentException($"unknown dimension {dimension.GetType().Name}", nameof(dimensions)),
            };
        }).ToImmutableArray();
        LogWeights = Weights.Select(Math.Log).ToImmutableArray();
    }

    /// <summary>Mixture weights of the kernels, summing to 1; the prior's is last.</summary>
    public ImmutableArray<double> Weights { get; }

    public ImmutableArray<DimensionKernels> Kernels { get; }

    private ImmutableArray<double> LogWeights { get; }

    /// <summary>
    /// <paramref name="count"/> points drawn from the mixture: a kernel by weight, then each dimension
    /// from that kernel (inverse CDF of the truncated Gaussian, then rounded to a step for integers).
    /// </summary>
    public double[][] Sample(SplitMix64 random, int count)
    {
        var points = new double[count][];
        for (var s = 0; s < count; s++)
        {
            var kernel = PickByCumulative(Weights, random.NextDouble());
            var point = new double[Kernels.Length];
            for (var d = 0; d < Kernels.Length; d++)
            {
                point[d] = Kernels[d] switch
                {
                    CategoricalKernels c => PickByCumulative(c.Weights[kernel], random.NextDouble()),
                    NumericalKernels n => SampleNumerical(n, kernel, random.NextDouble()),
                    _ => throw new InvalidOperationException("unknown kernels"),
                };
            }
            points[s] = point;
        }
        return points;
    }

    /// <summary>log of the mixture's density at <paramref name="point"/> (internal values): log Σₖ wₖ Πd pₖd(x_d).</summary>
    public double LogPdf(double[] point)
    {
        var perKernel = new double[Weights.Length];
        for (var k = 0; k < perKernel.Length; k++)
        {
            var sum = LogWeights[k];
            for (var d = 0; d < Kernels.Length && !double.IsNegativeInfinity(sum); d++)
                sum += Kernels[d] switch
                {
                    CategoricalKernels c => Math.Log(c.Weights[k][(int)point[d]]),
                    NumericalKernels n => NumericalLogPdf(n, k, point[d]),
                    _ => throw new InvalidOperationException("unknown kernels"),
                };
            perKernel[k] = sum;
        }
        var max = perKernel.Max();
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(perKernel.Sum(v => Math.Exp(v - max)));
    }

    private static ImmutableArray<double> MixtureWeights(int observations, TpeSettings settings)
    {
        if (observations == 0) return [1.0];
        var weights = TpeRules.ObservationWeights(observations).Append(settings.PriorWeight).ToArray();
        var total = weights.Sum();
        return weights.Select(w => w / total).ToImmutableArray();
    }

    private static NumericalKernels Numerical(NumericalDimension dimension, double[] observed, int dimensionCount, TpeSettings settings)
    {
        var low = dimension.KernelLow;
        var high = dimension.KernelHigh;
        var mus = observed.Select(dimension.Transform).ToArray();
        var sigmas = settings.Multivariate
            ? Enumerable.Repeat(0.2 * Math.Pow(Math.Max(mus.Length, 1), -1.0 / (dimensionCount + 4)) * (high - low), mus.Length).ToArray()
            : NeighbourBandwidths(mus, low, high, settings.ConsiderEndpoints);
        var minSigma = settings.ConsiderMagicClip ? (high - low) / Math.Min(100.0, 1.0 + (mus.Length + 1)) : 1e-12;
        for (var i = 0; i < sigmas.Length; i++) sigmas[i] = Math.Clamp(sigmas[i], minSigma, high - low);
        return new NumericalKernels(dimension, [.. mus, 0.5 * (low + high)], [.. sigmas, high - low]);
    }

    /// <summary>Each mu's bandwidth: the larger gap to its sorted neighbours, the bounds standing at both ends.</summary>
    private static double[] NeighbourBandwidths(double[] mus, double low, double high, bool considerEndpoints)
    {
        // Ties keep config-id order (a stable sort), as numpy's argsort does for arrays of up to 16.
        var order = Enumerable.Range(0, mus.Length).OrderBy(i => mus[i]).ToArray();
        var sorted = new double[mus.Length + 2];
        sorted[0] = low;
        sorted[^1] = high;
        for (var i = 0; i < order.Length; i++) sorted[i + 1] = mus[order[i]];
        var sortedSigmas = new double[mus.Length];
        for (var i = 0; i < mus.Length; i++) sortedSigmas[i] = Math.Max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
        if (!considerEndpoints && sorted.Length >= 4)
        {
            sortedSigmas[0] = sorted[2] - sorted[1];
            sortedSigmas[^1] = sorted[^2] - sorted[^3];
        }
        var sigmas = new double[mus.Length];
        for (var i = 0; i < order.Length; i++) sigmas[order[i]] = sortedSigmas[i];
        return sigmas;
    }

    private static CategoricalKernels Categorical(CategoricalDimension dimension, double[] observed, TpeSettings settings)
    {
        var choices = dimension.Choices.Length;
        if (observed.Length == 0) return new CategoricalKernels(dimension, [Enumerable.Repeat(1.0 / choices, choices).ToImmutableArray()]);
        var kernels = observed.Length + 1;
        var rows = new List<ImmutableArray<double>>(kernels);
        for (var k = 0; k < kernels; k++)
        {
            var row = Enumerable.Repeat(settings.PriorWeight / kernels, choices).ToArray();
            if (k < observed.Length) row[(int)observed[k]] += 1;
            var sum = row.Sum();
            rows.Add(row.Select(w => w / sum).ToImmutableArray());
        }
        return new CategoricalKernels(dimension, rows.ToImmutableArray());
    }

    private static double SampleNumerical(NumericalKernels n, int kernel, double quantile)
    {
        var (mu, sigma) = (n.Mus[kernel], n.Sigmas[kernel]);
        var z = TruncatedNormal.Ppf(quantile, (n.Dimension.KernelLow - mu) / sigma, (n.Dimension.KernelHigh - mu) / sigma);
        return n.Dimension.FromKernelSpace(z * sigma + mu);
    }

    private static double NumericalLogPdf(NumericalKernels n, int kernel, double value)
    {
        var (mu, sigma, dimension) = (n.Mus[kernel], n.Sigmas[kernel], n.Dimension);
        if (!dimension.IsDiscrete)
        {
            var x = dimension.Transform(value);
            var z = (x - mu) / sigma;
            if (x < dimension.KernelLow || x > dimension.KernelHigh) return double.NegativeInfinity;
            return -z * z / 2 - 0.5 * Math.Log(2 * Math.PI) - n.LogMasses[kernel] - Math.Log(sigma);
        }
        var left = dimension.Transform(value - dimension.Step / 2);
        var right = dimension.Transform(value + dimension.Step / 2);
        return TruncatedNormal.LogMass((left - mu) / sigma, (right - mu) / sigma) - n.LogMasses[kernel];
    }

    /// <summary>The first index whose cumulative weight exceeds u (numpy's searchsorted, side right, on the normalised CDF).</summary>
    private static int PickByCumulative(ImmutableArray<double> weights, double u)
    {
        var total = weights.Sum();
        var cumulative = 0.0;
        for (var i = 0; i < weights.Length - 1; i++)
        {
            cumulative += weights[i];
            if (cumulative / total > u) return i;
        }
        return weights.Length - 1;
    }
}
