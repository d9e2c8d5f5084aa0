using System.Runtime.InteropServices;

namespace Experiments.Training.Kernels;

/// <summary>
/// Math routines of the libtorch build itself, called directly where a kernel of ours must round
/// exactly as libtorch does. libtorch 2.10's CPU <c>sqrt</c> on float32 is MKL's vector math
/// (<c>vmsSqrt</c>, exported by libtorch_cpu.so), which is not the correctly rounded square root:
/// on real values about a sixth of its results are one unit in the last place away from
/// <see cref="MathF.Sqrt"/>. Calling it on our own buffers gives libtorch's bits without a
/// tensor, an allocation and a pass over memory of its own (docs/PERFORMANCE.md).
/// </summary>
internal static unsafe partial class LibTorchMath
{
    // ATen's vml.h calls MKL with VML_HA | VML_FTZDAZ_OFF | VML_ERRMODE_IGNORE.
    private const long Mode = 0x2 | 0x140000 | 0x100;

    /// <summary>result[i] = libtorch's √source[i] for i in [0, count); count fits in an int.</summary>
    public static void Sqrt(float* source, float* result, int count) => vmsSqrt(count, source, result, Mode);

    [LibraryImport("libtorch_cpu")]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial void vmsSqrt(int n, float* a, float* r, long mode);
}
