using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Experiments.Training.Kernels;

/// <summary>
/// libtorch 2.10's float square root, to the bit, as a vector expression a kernel can run inline.
/// libtorch's <c>sqrt</c> is MKL's vector math (<c>vmsSqrt</c>), which is not correctly rounded;
/// on the CPUs where MKL runs its SSE kernel (<c>mkl_vml_kernel_sSqrt_EXHAynn</c>, the one it picks
/// on AMD's Zen) that kernel refines the CPU's reciprocal-square-root estimate with separately
/// rounded products and sums, lane by lane:
/// <code>
/// r = rsqrt(x); t = x·r; h = r·½; e = ½ − t·h; s = t·e + t; h' = e·h + h; √x = (x − s·s)·h' + s
/// </code>
/// It does so for positive normal x up to 0x7F7FF000 and hands every other lane (zero, denormal,
/// negative, infinite, NaN, the largest floats) to a scalar path; <see cref="Root"/> gives +0 for
/// +0 as that path does, and <see cref="Compute"/> and <see cref="AdamKernel.Step"/> hand the rest
/// to MKL itself. Whether this reproduces libtorch here is checked once per process against
/// libtorch's own <c>sqrt</c> (<see cref="ReproducesLibtorch"/>); callers use it only then
/// (`bench sqrt-check` compares all 2³² bit patterns).
/// </summary>
internal static unsafe partial class VmlSqrt
{
    // ATen's vml.h calls MKL with VML_HA | VML_FTZDAZ_OFF | VML_ERRMODE_IGNORE, so MXCSR is .NET's
    // own default (no flush to zero) while MKL computes.
    private const long Mode = 0x2 | 0x140000 | 0x100;
    private const int ProbeExponents = 254;
    private const int ProbeMantissas = 4096;

    private static readonly Lazy<bool> Reproduces = new(Probe);

    /// <summary>
    /// True when <see cref="Compute(float*, float*, long)"/> gives libtorch's <c>sqrt</c> bits on every value of a probe that
    /// covers each exponent with 4,096 mantissas and every special class (checked once, ~1 M values).
    /// </summary>
    public static bool ReproducesLibtorch => Reproduces.Value;

    /// <summary>The lanes MKL's vector path does not compute: all but positive normal x ≤ 0x7F7FF000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Special(Vector256<float> x) =>
        Vector256.GreaterThan(x.AsInt32() + Vector256.Create(0x7F800000), Vector256.Create(unchecked((int)0xFEFFF000))).AsSingle();

    /// <summary>The lanes <see cref="Root"/> does not compute: <see cref="Special"/> ones but +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Unhandled(Vector256<float> x) => Special(x) & ~PlusZero(x);

    /// <summary>The lanes that hold +0 (bits, so −0 is not among them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> PlusZero(Vector256<float> x) => Vector256.Equals(x.AsInt32(), Vector256<int>.Zero).AsSingle();

    /// <summary>
    /// The vector path's result, and +0 for +0 (what MKL's scalar path gives it, and the common
    /// special lane in Adam: a weight that never had a gradient); right on the lanes
    /// <see cref="Unhandled"/> leaves clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Root(Vector256<float> x)
    {
        var half = Vector256.Create(0.5f);
        var r = Avx.ReciprocalSqrt(x);
        var t = x * r;
        var h = r * half;
        var e = half - t * h;
        var s = t * e + t;
        var h2 = e * h + h;
        var root = (x - s * s) * h2 + s;
        return Vector256.ConditionalSelect(PlusZero(x), Vector256<float>.Zero, root);
    }

    /// <summary>Whether any of <paramref name="n"/> floats (a multiple of 8) is a lane <see cref="Root"/> does not compute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static bool AnyUnhandled(float* x, int n)
    {
        var any = Vector256<float>.Zero;
        for (var i = 0; i < n; i += Vector256<float>.Count) any |= Unhandled(Vector256.Load(x + i));
        return any != Vector256<float>.Zero;
    }

    /// <summary>√ of <paramref name="n"/> floats by MKL itself, as libtorch calls it.</summary>
    public static void Exact(float* x, float* root, int n) => vmsSqrt(n, x, root, Mode);

    /// <summary>√ of <paramref name="count"/> floats the way <see cref="AdamKernel.Step"/> computes them: vector by vector, MKL for special lanes and the tail.</summary>
    public static void Compute(float* x, float* root, long count)
    {
        long i = 0;
        for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
        {
            if (AnyUnhandled(x + i, Vector256<float>.Count)) Exact(x + i, root + i, Vector256<float>.Count);
            else Root(Vector256.Load(x + i)).Store(root + i);
        }
        if (i < count) Exact(x + i, root + i, (int)(count - i));
    }

    /// <inheritdoc cref="Compute(float*, float*, long)"/>
    public static void Compute(ReadOnlySpan<float> x, Span<float> root)
    {
        if (root.Length < x.Length) throw new ArgumentException("The roots' span is shorter than the values'.", nameof(root));
        fixed (float* values = x, roots = root) Compute(values, roots, x.Length);
    }

    [LibraryImport("libtorch_cpu")]
    private static partial void vmsSqrt(int n, float* a, float* r, long mode);

    private static bool Probe()
    {
        if (!Avx2.IsSupported || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
        try
        {
            var values = ProbeValues();
            using var input = tensor(values);
            using var expected = input.sqrt();
            var actual = new float[values.Length];
            Compute(values, actual);
            // Bits, not float equality: that would take −0 for +0 and any NaN for any other.
            var expectedBits = MemoryMarshal.Cast<float, int>(expected.data<float>().ToArray());
            return expectedBits.SequenceEqual(MemoryMarshal.Cast<float, int>(actual));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a libtorch without MKL (or another platform's): libtorch's own sqrt, as before
        }
    }

    /// <summary>Every exponent with mantissas spread over its range, then every special class.</summary>
    internal static float[] ProbeValues()
    {
        var values = new List<float>(ProbeExponents * ProbeMantissas + 64);
        for (var exponent = 1; exponent <= ProbeExponents; exponent++)
            for (var j = 0; j < ProbeMantissas; j++)
            {
                // An odd stride visits mantissas all over [0, 2²³) without a pattern in the low bits.
                var mantissa = (int)((j * 2047L + exponent * 131L) & 0x7FFFFF);
                values.Add(BitConverter.Int32BitsToSingle(exponent << 23 | mantissa));
            }
        for (var mantissa = 0x7FF000; mantissa <= 0x7FFFFF; mantissa += 0x100)
            values.Add(BitConverter.Int32BitsToSingle(254 << 23 | mantissa)); // the largest floats, either side of 0x7F7FF000
        values.AddRange([0f, -0f, float.Epsilon, 1e-40f, 1.1754942e-38f, float.PositiveInfinity, float.NegativeInfinity,
            float.NaN, -1f, -1e-40f, BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(0x7F812345)]);
        while (values.Count % Vector256<float>.Count != 3) values.Add(2f); // a tail after the last whole vector
        return values.ToArray();
    }
}
