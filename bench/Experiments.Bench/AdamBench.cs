using System.Diagnostics;
using System.Runtime.InteropServices;
using Experiments.Training;
using Experiments.Training.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Bench;

/// <summary>
/// Adam's step alone on the CNN's parameters (694,826 floats), its variants interleaved in short
/// bursts so that the shared machine's drift falls on all: the minimum and the median of the bursts.
/// Fused.Adam is the product's (one pass with VmlSqrt where it reproduces libtorch's sqrt); the
/// two-pass variant is what Fused.Adam ran before (the moments, libtorch's sqrt, the update); the
/// last is a tried alternative: one pass chunk by chunk with MKL's vmsSqrt, the routine behind
/// libtorch 2.10's float sqrt (exported by libtorch_cpu.so, the same bits).
/// </summary>
public static partial class AdamBench
{
    private const int Steps = 20;

    public static void Run(int threads, int rounds)
    {
        TorchRuntime.UseThreads(threads);
        using var generator = new torch.Generator(1);
        long[][] shapes = [[32, 1, 3, 3], [32], [128, 5408], [128], [10, 128], [10]];
        List<Parameter> Parameters() => shapes.Select(shape => new Parameter(randn(shape, generator: generator))).ToList();
        var variants = new (string Name, List<Parameter> Parameters, Action<List<Parameter>> Step)[4];
        var torchSharp = Parameters();
        var fused = Parameters();
        var twoPass = Parameters();
        var chunked = Parameters();
        using var torchSharpAdam = optim.Adam(torchSharp, 1e-3, 0.9, 0.999);
        using var fusedAdam = new Fused.Adam(fused, 1e-3, 0.9, 0.999);
        var chunkedState = chunked.Select(p => (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToList();
        long chunkedStep = 0;
        var twoPassState = twoPass.Select(p => (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToList();
        long twoPassStep = 0;
        variants[0] = ("TorchSharp Adam", torchSharp, _ => torchSharpAdam.step());
        variants[1] = ($"Fused.Adam ({(VmlSqrt.ReproducesLibtorch ? "one pass, VmlSqrt" : "two passes: VmlSqrt does not reproduce libtorch here")})", fused, _ => fusedAdam.step());
        variants[2] = ("two passes around libtorch's sqrt (Fused.Adam until 2026-12-04)", twoPass, ps => TwoPass(ps, twoPassState, ++twoPassStep));
        variants[3] = ("tried: one pass in chunks of 4,096 with MKL's vmsSqrt", chunked, ps => Chunked(ps, chunkedState, ++chunkedStep));
        foreach (var (_, ps, _) in variants)
            foreach (var p in ps) p.grad = randn(p.shape, generator: generator).DetachFromDisposeScope();
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < variants.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                for (var s = 0; s < Steps; s++)
                {
                    using var scope = NewDisposeScope();
                    variants[i].Step(variants[i].Parameters);
                }
                times[i].Add(clock.Elapsed.TotalMilliseconds / Steps);
            }
        Console.WriteLine($"Adam step, {threads} thread(s), ms per step over {rounds} bursts of {Steps}:");
        Console.WriteLine("| variant | min | median |");
        Console.WriteLine("|---|---:|---:|");
        for (var i = 0; i < variants.Length; i++)
            Console.WriteLine($"| {variants[i].Name} | {times[i].Min():0.000} | {times[i].Order().ElementAt(times[i].Count / 2):0.000} |");
    }

    private const int Chunk = 4096;

    private static unsafe void TwoPass(List<Parameter> parameters, List<(Tensor M, Tensor V)> state, long step)
    {
        var k = AdamConstants.For(1e-3, 0.9, 0.999, 1e-8, 0, step);
        for (var i = 0; i < parameters.Count; i++)
        {
            using var grad = parameters[i].grad!;
            float* p = Pointer(parameters[i]), g = Pointer(grad), m = Pointer(state[i].M), v = Pointer(state[i].V);
            var count = parameters[i].numel();
            AdamKernel.Moments(p, g, m, v, count, k);
            using var root = state[i].V.sqrt();
            AdamKernel.Update(p, m, Pointer(root), count, k);
        }
    }

    private static unsafe void Chunked(List<Parameter> parameters, List<(Tensor M, Tensor V)> state, long step)
    {
        var k = AdamConstants.For(1e-3, 0.9, 0.999, 1e-8, 0, step);
        var root = stackalloc float[Chunk];
        for (var i = 0; i < parameters.Count; i++)
        {
            using var grad = parameters[i].grad!;
            float* p = Pointer(parameters[i]), g = Pointer(grad), m = Pointer(state[i].M), v = Pointer(state[i].V);
            var count = parameters[i].numel();
            for (long start = 0; start < count; start += Chunk)
            {
                var n = (int)Math.Min(Chunk, count - start);
                AdamKernel.Moments(p + start, g + start, m + start, v + start, n, k);
                vmsSqrt(n, v + start, root, SqrtMode);
                AdamKernel.Update(p + start, m + start, root, n, k);
            }
        }
    }

    // ATen's vml.h calls MKL with VML_HA | VML_FTZDAZ_OFF | VML_ERRMODE_IGNORE.
    private const long SqrtMode = 0x2 | 0x140000 | 0x100;

    [LibraryImport("libtorch_cpu")]
    private static unsafe partial void vmsSqrt(int n, float* a, float* r, long mode);

    private static unsafe float* Pointer(Tensor tensor)
    {
        fixed (byte* bytes = tensor.bytes) return (float*)bytes;
    }
}
