using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Experiments.Training.Kernels;

/// <summary>The constants of one Adam step, rounded to float as libtorch rounds a Scalar for a float tensor.</summary>
internal readonly record struct AdamConstants(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
    float SqrtBiasCorrection2, float Eps, float NegativeStepSize, float WeightDecay)
{
    public static AdamConstants For(double lr, double beta1, double beta2, double eps, double weightDecay, long step)
    {
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        return new((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
            (float)Math.Sqrt(biasCorrection2), (float)eps, (float)-(lr / biasCorrection1), (float)weightDecay);
    }
}

/// <summary>
/// One Adam update over a parameter's storage, rounding exactly as the chain of
/// libtorch kernels that TorchSharp's <c>Adam.step</c> runs (one rounding per kernel, and a fused
/// multiply-add where libtorch's kernel has one: <c>add(…, alpha)</c> and <c>addcmul</c>):
/// <code>
/// g = 0 + g                         backward's sum into zeroed gradients (−0 → +0; see Fused.Adam.zero_grad)
/// g = fma(p, wd, g)                 grad.add(param, alpha: wd), when wd ≠ 0
/// m = fma(g, 1−β₁, m·β₁)            exp_avg.mul_(β₁).add_(g, alpha: 1−β₁)
/// v = fma((1−β₂)·g, g, v·β₂)        exp_avg_sq.mul_(β₂).addcmul_(g, g, value: 1−β₂)
/// s = √v                            exp_avg_sq.sqrt(): libtorch's bits (VmlSqrt, or libtorch's own kernel)
/// d = s / √bc₂ + ε                  (… / √bc₂).add_(ε)
/// p = p + (−lr/bc₁ · m) / d         param.addcdiv_(m, d, value: −lr/bc₁)
/// </code>
/// libtorch's float sqrt is not the correctly rounded one (about a sixth of the results differ
/// from <see cref="MathF.Sqrt"/> in the last bit): <see cref="Step"/> reproduces it with
/// <see cref="VmlSqrt"/>; <see cref="Moments"/> and <see cref="Update"/> are the two passes around
/// libtorch's own sqrt where that does not reproduce it.
/// </summary>
internal static unsafe class AdamKernel
{
    /// <summary>The moments: m and v updated in place from the gradient.</summary>
    // Optimised at its first call: it is not precompiled (AVX2), and at tier 0 a fresh process ran its
    // first steps with the vector helpers as calls until tiering caught up (docs/PERFORMANCE.md, "Cluster").
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Moments(float* p, float* g, float* m, float* v, long count, in AdamConstants k)
    {
        var decay = k.WeightDecay != 0f;
        long i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b1 = Vector256.Create(k.Beta1);
            var a1 = Vector256.Create(k.OneMinusBeta1);
            var b2 = Vector256.Create(k.Beta2);
            var a2 = Vector256.Create(k.OneMinusBeta2);
            var wd = Vector256.Create(k.WeightDecay);
            for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
            {
                var gi = Vector256.Load(g + i);
                gi = Vector256.ConditionalSelect(Vector256.Equals(gi, Vector256<float>.Zero), Vector256<float>.Zero, gi); // 0 + g
                if (decay) gi = Vector256.FusedMultiplyAdd(Vector256.Load(p + i), wd, gi);
                Vector256.FusedMultiplyAdd(gi, a1, Vector256.Load(m + i) * b1).Store(m + i);
                Vector256.FusedMultiplyAdd(a2 * gi, gi, Vector256.Load(v + i) * b2).Store(v + i);
            }
        }
        for (; i < count; i++)
        {
            var gi = g[i] == 0f ? 0f : g[i]; // 0 + g, without trusting the JIT not to fold it
            if (decay) gi = MathF.FusedMultiplyAdd(p[i], k.WeightDecay, gi);
            m[i] = MathF.FusedMultiplyAdd(gi, k.OneMinusBeta1, m[i] * k.Beta1);
            v[i] = MathF.FusedMultiplyAdd(k.OneMinusBeta2 * gi, gi, v[i] * k.Beta2);
        }
    }

    // Floats per block of Step: its four arrays (16 KB) stay in L1 between the block's loops.
    private const int Block = 1024;

    /// <summary>
    /// The whole step, block by block: the moments, then √v by <see cref="VmlSqrt"/> (libtorch's
    /// bits, where <see cref="VmlSqrt.ReproducesLibtorch"/>) and the parameter while the block is in
    /// L1. No √v tensor, and p, m and v each come from memory once (the two passes read m twice and
    /// v three times). A block with a lane <see cref="VmlSqrt.Root"/> does not compute (a denormal v, say)
    /// or a scalar tail takes its roots from MKL itself.
    /// </summary>
    /// <remarks>The loops are separate methods without calls in them: a call inside a vector loop,
    /// however rare, makes the JIT keep every vector in memory.</remarks>
    public static void Step(float* p, float* g, float* m, float* v, long count, in AdamConstants k)
    {
        var root = stackalloc float[Block];
        for (long start = 0; start < count; start += Block)
        {
            var n = (int)Math.Min(Block, count - start);
            Moments(p + start, g + start, m + start, v + start, n, k);
            if (n % Vector256<float>.Count == 0 && !VmlSqrt.AnyUnhandled(v + start, n))
                UpdateInline(p + start, m + start, v + start, n, k);
            else
            {
                VmlSqrt.Exact(v + start, root, n);
                Update(p + start, m + start, root, n, k);
            }
        }
    }

    /// <summary><see cref="Update"/> with s = √v computed inline (<see cref="VmlSqrt.Root"/>); n a multiple of 8, no unhandled lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void UpdateInline(float* p, float* m, float* v, int n, in AdamConstants k)
    {
        var c2 = Vector256.Create(k.SqrtBiasCorrection2);
        var eps = Vector256.Create(k.Eps);
        var step = Vector256.Create(k.NegativeStepSize);
        for (var i = 0; i < n; i += Vector256<float>.Count)
        {
            var d = VmlSqrt.Root(Vector256.Load(v + i)) / c2 + eps;
            (Vector256.Load(p + i) + step * Vector256.Load(m + i) / d).Store(p + i);
        }
    }

    /// <summary>The parameter update from m and s = √v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Update(float* p, float* m, float* s, long count, in AdamConstants k)
    {
        long i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var c2 = Vector256.Create(k.SqrtBiasCorrection2);
            var eps = Vector256.Create(k.Eps);
            var step = Vector256.Create(k.NegativeStepSize);
            for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
            {
                var d = Vector256.Load(s + i) / c2 + eps;
                (Vector256.Load(p + i) + step * Vector256.Load(m + i) / d).Store(p + i);
            }
        }
        for (; i < count; i++)
        {
            var d = s[i] / k.SqrtBiasCorrection2 + k.Eps;
            p[i] += k.NegativeStepSize * m[i] / d;
        }
    }
}
