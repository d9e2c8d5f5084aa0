using System.Runtime.Intrinsics;
using Experiments.Training.Kernels;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Kernels;

public class VmlSqrtSpecs
{
    [Theory]
    [InlineData(0x00000000u, true)]  // +0
    [InlineData(0x00000001u, true)]  // the smallest denormal
    [InlineData(0x007FFFFFu, true)]  // the largest denormal
    [InlineData(0x00800000u, false)] // the smallest normal
    [InlineData(0x3F800000u, false)] // 1
    [InlineData(0x7F7FF000u, false)] // the last float MKL's vector path computes
    [InlineData(0x7F7FF001u, true)]
    [InlineData(0x7F7FFFFFu, true)]  // the largest float
    [InlineData(0x7F800000u, true)]  // +∞
    [InlineData(0x7FC00000u, true)]  // NaN
    [InlineData(0x80000000u, true)]  // −0
    [InlineData(0xBF800000u, true)]  // −1
    [InlineData(0xFFFFFFFFu, true)]
    public void Should_mark_as_special_every_lane_but_the_positive_normal_floats_of_mkls_vector_path(uint bits, bool special)
    {
        var x = Vector256.Create(BitConverter.Int32BitsToSingle((int)bits));
        Assert.Equal(special, VmlSqrt.Special(x) != Vector256<float>.Zero);
    }

    [Theory]
    [InlineData(0x00000000u, false)] // +0: Root gives +0, as MKL's scalar path does
    [InlineData(0x80000000u, true)]  // −0
    [InlineData(0x00000001u, true)]
    [InlineData(0x3F800000u, false)]
    [InlineData(0x7F800000u, true)]
    public void Should_leave_to_mkl_every_special_lane_but_plus_zero(uint bits, bool unhandled)
    {
        var x = Vector256.Create(BitConverter.Int32BitsToSingle((int)bits));
        Assert.Equal(unhandled, VmlSqrt.Unhandled(x) != Vector256<float>.Zero);
    }

    [Fact]
    public void Should_decide_to_run_inline_exactly_when_it_gives_libtorchs_sqrt_on_random_bit_patterns()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 1 << 21).Select(_ => BitConverter.Int32BitsToSingle(random.Next() | (random.Next(8) == 0 ? int.MinValue : 0)))
            .Concat(VmlSqrt.ProbeValues()).ToArray();
        var actual = new float[values.Length];
        VmlSqrt.Compute(values, actual);
        using var input = tensor(values);
        using var expected = input.sqrt();

        var agrees = expected.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)
            .SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits));

        Assert.Equal(agrees, VmlSqrt.ReproducesLibtorch);
    }

    [Fact]
    public void Should_reproduce_libtorchs_sqrt_on_amd_cpus_where_mkl_runs_its_sse_kernel()
    {
        // The CPUs this project is measured and tested on (AMD Zen, x64 Linux, TorchSharp-cpu's
        // libtorch with MKL). Elsewhere MKL may pick another kernel, and Fused.Adam falls back to
        // its two passes around libtorch's sqrt (the spec above checks that decision).
        if (!IsAmdWithAvx2OnLinux()) return;
        Assert.True(VmlSqrt.ReproducesLibtorch);
    }

    private static bool IsAmdWithAvx2OnLinux()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !OperatingSystem.IsLinux()) return false;
        var (_, ebx, ecx, edx) = System.Runtime.Intrinsics.X86.X86Base.CpuId(0, 0);
        var vendor = string.Concat(new[] { ebx, edx, ecx }.Select(r => System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(r))));
        return vendor == "AuthenticAMD";
    }
}
