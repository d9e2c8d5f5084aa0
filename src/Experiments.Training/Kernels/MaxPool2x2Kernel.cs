using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Experiments.Training.Kernels;

/// <summary>
/// 2×2 max pooling with stride 2 (floor mode, no padding) over contiguous NCHW float planes, and
/// its gradient. Chooses exactly what libtorch's CPU kernel chooses: the window is scanned in row
/// order, a later value wins only when strictly greater, and a NaN always wins (so the last NaN of
/// a window is the one picked); the output is the chosen value's bits. The choice is kept as one
/// int per output (0..3, scan position) for the backward pass. Rows of at least 8 outputs run 8
/// windows at a time with AVX2 (branch-free: the scalar loop's data-dependent branches mispredict
/// on real activations); a row's last group overlaps the one before it instead of a scalar tail.
/// With <c>relu</c>, the output is libtorch's ReLU of the pooled value (x &lt; 0 → +0; −0 and NaN
/// kept) and the choice is −1 where ReLU's backward passes no gradient (output ≤ 0), so the
/// backward pass below gives relu then pooling's gradient unchanged.
/// Runs on the calling (trainer's) thread at any torch thread count: spread over .NET pool threads
/// it competed with libtorch's OpenMP workers for the cores, and a 2-thread CNN step was ~20 %
/// slower (docs/PERFORMANCE.md, "The kernels' 2-thread path").
/// </summary>
internal static unsafe class MaxPool2x2Kernel
{
    private const int Lanes = 8;

    // Optimised at its first call: it is not precompiled (AVX2), and at tier 0 a fresh process ran its
    // first steps with the vector helpers as calls until tiering caught up (docs/PERFORMANCE.md, "Cluster").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* input, float* output, int* choice, long planes, int height, int width, bool relu)
    {
        int outHeight = height / 2, outWidth = width / 2;
        var vector = Avx2.IsSupported && outWidth >= Lanes;
        for (long plane = 0; plane < planes; plane++)
        {
            var top = input + plane * height * width;
            var o = output + plane * outHeight * outWidth;
            var c = choice + plane * outHeight * outWidth;
            for (var i = 0; i < outHeight; i++, top += 2 * width, o += outWidth, c += outWidth)
            {
                if (vector)
                    for (var j = 0; ; j += Lanes)
                    {
                        if (j + Lanes > outWidth) j = outWidth - Lanes;
                        ForwardEight(top + 2 * j, top + width + 2 * j, o + j, c + j, relu);
                        if (j + Lanes == outWidth) break;
                    }
                else
                    for (var j = 0; j < outWidth; j++) ForwardOne(top + 2 * j, top + width + 2 * j, o + j, c + j, relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardOne(float* top, float* bottom, float* output, int* choice, bool relu)
    {
        var max = top[0];
        var at = 0;
        if (top[1] > max || float.IsNaN(top[1])) { max = top[1]; at = 1; }
        if (bottom[0] > max || float.IsNaN(bottom[0])) { max = bottom[0]; at = 2; }
        if (bottom[1] > max || float.IsNaN(bottom[1])) { max = bottom[1]; at = 3; }
        if (relu && max <= 0f)
        {
            at = -1;
            if (max < 0f) max = 0f;
        }
        *output = max;
        *choice = at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardEight(float* top, float* bottom, float* output, int* choice, bool relu)
    {
        var (a, b) = Deinterleave(top);
        var (c, d) = Deinterleave(bottom);
        var max = a;
        var at = Vector256<int>.Zero;
        Take(b, 1, ref max, ref at);
        Take(c, 2, ref max, ref at);
        Take(d, 3, ref max, ref at);
        if (relu)
        {
            // Ordered compares: a NaN is neither, so it stays and its gradient passes, as in libtorch.
            var zero = Vector256<float>.Zero;
            at = Avx.BlendVariable(at.AsSingle(), Vector256.Create(-1).AsSingle(), Avx.CompareLessThanOrEqual(max, zero)).AsInt32();
            max = Avx.BlendVariable(max, zero, Avx.CompareLessThan(max, zero));
        }
        // Deinterleave leaves windows in the order 0 1 4 5 2 3 6 7; swapping the middle 64-bit pairs restores it.
        Avx2.Permute4x64(max.AsDouble(), 0b11_01_10_00).AsSingle().Store(output);
        Avx2.Permute4x64(at.AsInt64(), 0b11_01_10_00).AsInt32().Store(choice);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector256<float> value, int position, ref Vector256<float> max, ref Vector256<int> at)
    {
        var wins = Avx.Or(Avx.CompareGreaterThan(value, max), Avx.CompareUnordered(value, value));
        max = Avx.BlendVariable(max, value, wins);
        at = Avx.BlendVariable(at.AsSingle(), Vector256.Create(position).AsSingle(), wins).AsInt32();
    }

    /// <summary>16 floats of a row: the even columns and the odd ones (windows in the order 0 1 4 5 2 3 6 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Deinterleave(float* row)
    {
        var low = Avx.LoadVector256(row);
        var high = Avx.LoadVector256(row + Lanes);
        return (Avx.Shuffle(low, high, 0b10_00_10_00), Avx.Shuffle(low, high, 0b11_01_11_01));
    }

    /// <summary>
    /// Writes every element of the input gradient: the chosen position of a window gets 0 + g
    /// (libtorch adds into zeros, so −0 becomes +0), the others, every position of a window chosen
    /// −1, and the rows and columns no window covers (odd sizes) get +0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float* gradOutput, int* choice, float* gradInput, long planes, int height, int width)
    {
        int outHeight = height / 2, outWidth = width / 2;
        var vector = Avx2.IsSupported && outWidth >= Lanes;
        for (long plane = 0; plane < planes; plane++)
        {
            var g = gradOutput + plane * outHeight * outWidth;
            var c = choice + plane * outHeight * outWidth;
            var top = gradInput + plane * height * width;
            for (var i = 0; i < outHeight; i++, top += 2 * width, g += outWidth, c += outWidth)
            {
                if (vector)
                    for (var j = 0; ; j += Lanes)
                    {
                        if (j + Lanes > outWidth) j = outWidth - Lanes;
                        BackwardEight(g + j, c + j, top + 2 * j, top + width + 2 * j);
                        if (j + Lanes == outWidth) break;
                    }
                else
                    for (var j = 0; j < outWidth; j++) BackwardOne(g[j], c[j], top + 2 * j, top + width + 2 * j);
                if ((width & 1) == 1) { top[width - 1] = 0f; top[2 * width - 1] = 0f; }
            }
            if ((height & 1) == 1) new Span<float>(gradInput + (plane + 1) * height * width - width, width).Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardOne(float gradient, int at, float* top, float* bottom)
    {
        var value = gradient == 0f ? 0f : gradient; // 0 + g, without trusting the JIT not to fold it
        top[0] = at == 0 ? value : 0f;
        top[1] = at == 1 ? value : 0f;
        bottom[0] = at == 2 ? value : 0f;
        bottom[1] = at == 3 ? value : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardEight(float* gradient, int* choice, float* top, float* bottom)
    {
        var g = Avx.LoadVector256(gradient);
        var value = Avx.BlendVariable(g, Vector256<float>.Zero, Avx.CompareEqual(g, Vector256<float>.Zero)); // 0 + g
        var at = Avx.LoadVector256(choice);
        Interleave(At(value, at, 0), At(value, at, 1), top);
        Interleave(At(value, at, 2), At(value, at, 3), bottom);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> At(Vector256<float> value, Vector256<int> at, int position) =>
        Avx.And(value, Avx2.CompareEqual(at, Vector256.Create(position)).AsSingle());

    /// <summary>Writes 16 floats: even[0], odd[0], even[1], odd[1], …</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector256<float> even, Vector256<float> odd, float* row)
    {
        var low = Avx.UnpackLow(even, odd);   // 0 0 1 1 | 4 4 5 5
        var high = Avx.UnpackHigh(even, odd); // 2 2 3 3 | 6 6 7 7
        Avx.Permute2x128(low, high, 0x20).Store(row);
        Avx.Permute2x128(low, high, 0x31).Store(row + Lanes);
    }
}
