using System.Diagnostics;
using Experiments.Training;
using Experiments.Training.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Bench;

/// <summary>
/// Adam's step alone on the CNN's parameters (694,826 floats), its variants interleaved in short
/// bursts so that the shared machine's drift falls on all: the minimum and the median of the bursts.
/// </summary>
public static class AdamBench
{
    private const int Steps = 20;

    public static void Run(int threads, int rounds)
    {
        TorchRuntime.UseThreads(threads);
        using var generator = new torch.Generator(1);
        long[][] shapes = [[32, 1, 3, 3], [32], [128, 5408], [128], [10, 128], [10]];
        List<Parameter> Parameters() => shapes.Select(shape => new Parameter(randn(shape, generator: generator))).ToList();
        var variants = new (string Name, List<Parameter> Parameters, Action<List<Parameter>> Step)[3];
        var torchSharp = Parameters();
        var fused = Parameters();
        var twoPass = Parameters();
        using var torchSharpAdam = optim.Adam(torchSharp, 1e-3, 0.9, 0.999);
        using var fusedAdam = new Fused.Adam(fused, 1e-3, 0.9, 0.999);
        var twoPassState = twoPass.Select(p => (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToList();
        long twoPassStep = 0;
        variants[0] = ("TorchSharp Adam", torchSharp, _ => torchSharpAdam.step());
        variants[1] = ("two passes around a libtorch sqrt tensor (before)", twoPass, ps => TwoPass(ps, twoPassState, ++twoPassStep, threads));
        variants[2] = ("Fused.Adam: chunks with MKL's vmsSqrt (now)", fused, _ => fusedAdam.step());
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

    /// <summary>The previous Fused.Adam: moments over the whole tensor, libtorch's sqrt into a new tensor, then the update.</summary>
    private static unsafe void TwoPass(List<Parameter> parameters, List<(Tensor M, Tensor V)> state, long step, int threads)
    {
        var k = AdamConstants.For(1e-3, 0.9, 0.999, 1e-8, 0, step);
        for (var i = 0; i < parameters.Count; i++)
        {
            using var grad = parameters[i].grad!;
            var count = parameters[i].numel();
            float* p = Pointer(parameters[i]), g = Pointer(grad), m = Pointer(state[i].M), v = Pointer(state[i].V);
            ParallelKernel.ForEachRange(count, threads, (from, to) => AdamKernel.Moments(p + from, g + from, m + from, v + from, to - from, k), 1 << 16);
            using var root = state[i].V.sqrt();
            var s = Pointer(root);
            ParallelKernel.ForEachRange(count, threads, (from, to) => AdamKernel.Update(p + from, m + from, s + from, to - from, k), 1 << 16);
        }
    }

    private static unsafe float* Pointer(Tensor tensor)
    {
        fixed (byte* bytes = tensor.bytes) return (float*)bytes;
    }
}
