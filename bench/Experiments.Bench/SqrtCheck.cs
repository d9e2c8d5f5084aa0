using System.Diagnostics;
using Experiments.Training.Kernels;
using static TorchSharp.torch;

namespace Experiments.Bench;

/// <summary>
/// VmlSqrt against libtorch's own <c>sqrt</c> on every one of the 2³² float bit patterns, chunk by
/// chunk: the exhaustive form of the probe the product runs at its first Adam step.
/// </summary>
public static unsafe class SqrtCheck
{
    private const int Chunk = 1 << 22;

    public static int Run()
    {
        Console.WriteLine($"probe (what Fused.Adam decides on): {(VmlSqrt.ReproducesLibtorch ? "reproduces libtorch" : "does not reproduce libtorch")}");
        var clock = Stopwatch.StartNew();
        var input = new float[Chunk];
        var actual = new float[Chunk];
        long differing = 0, special = 0;
        for (long start = 0; start < 1L << 32; start += Chunk)
        {
            for (var i = 0; i < Chunk; i++) input[i] = BitConverter.Int32BitsToSingle((int)(uint)(start + i));
            fixed (float* x = input, r = actual) VmlSqrt.Compute(x, r, Chunk);
            using var t = tensor(input);
            using var root = t.sqrt();
            var expected = root.data<float>();
            for (var i = 0; i < Chunk; i++)
            {
                var bits = (uint)(start + i);
                if (bits is < 0x00800000 or > 0x7F7FF000) special++;
                if (BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])) continue;
                if (differing++ < 10) Console.WriteLine($"  differs at 0x{bits:X8}: libtorch 0x{BitConverter.SingleToInt32Bits(expected[i]):X8}, ours 0x{BitConverter.SingleToInt32Bits(actual[i]):X8}");
            }
        }
        Console.WriteLine($"all 4,294,967,296 bit patterns in {clock.Elapsed.TotalSeconds:0.0} s: {differing:N0} differ from libtorch's sqrt " +
                          $"({special:N0} of them special lanes, all but +0 computed by MKL itself)");
        return differing == 0 ? 0 : 1;
    }
}
