using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Gan;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature sets:
/// ‖μ₁−μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½). Computed in float64, with square roots taken through
/// <c>linalg.eigh</c> of symmetric matrices (tiny negative eigenvalues, rounding noise, clamped to 0),
/// so no general matrix square root is needed.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance between the feature rows of <paramref name="a"/> [N,D] and <paramref name="b"/> [M,D].</summary>
    public static double Between(Tensor a, Tensor b)
    {
        if (a.ndim != 2 || b.ndim != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"expected two feature matrices of equal width, got [{string.Join(",", a.shape)}] and [{string.Join(",", b.shape)}]");
        if (a.shape[0] < 2 || b.shape[0] < 2)
            throw new ArgumentException("a covariance needs at least two samples on each side");

        using var scope = NewDisposeScope();
        var (mean1, cov1) = Moments(a);
        var (mean2, cov2) = Moments(b);
        var meanTerm = mean1.sub(mean2).square().sum().item<double>();

        var sqrtCov1 = SymmetricSqrt(cov1);
        var middle = Symmetrize(sqrtCov1.matmul(cov2).matmul(sqrtCov1));
        var traceOfSqrt = linalg.eigvalsh(middle).clamp_min(0).sqrt().sum().item<double>();

        var distance = meanTerm + cov1.trace().item<double>() + cov2.trace().item<double>() - 2 * traceOfSqrt;
        // Equal sets give 0 up to rounding, which may land a hair below it.
        return Math.Max(0, distance);
    }

    /// <summary>Mean [D] and unbiased covariance [D,D] of the rows, in float64.</summary>
    private static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        var x = features.to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x.sub(mean);
        var covariance = centred.t().matmul(centred).div(features.shape[0] - 1);
        return (mean, Symmetrize(covariance));
    }

    private static Tensor SymmetricSqrt(Tensor symmetric)
    {
        var (values, vectors) = linalg.eigh(symmetric);
        var roots = values.clamp_min(0).sqrt();
        return Symmetrize(vectors.mul(roots.unsqueeze(0)).matmul(vectors.t()));
    }

    /// <summary>(A + Aᵀ)/2: removes the asymmetry rounding leaves, as eigh reads one triangle only.</summary>
    private static Tensor Symmetrize(Tensor m) => m.add(m.t()).div(2);
}
