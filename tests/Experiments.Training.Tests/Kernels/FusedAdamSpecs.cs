using Experiments.Training.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Kernels;

public class FusedAdamSpecs
{
    // Odd sizes leave a scalar tail after the vector loop; the large one is split over threads;
    // 3 × 4099 ends in a partial chunk of the kernel's 4096 floats.
    private static readonly long[][] Shapes = [[37], [128, 5408], [10, 129], [1], [3, 4099]];

    private static List<Parameter> Parameters(int seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return Shapes.Select(shape => new Parameter(randn(shape, generator: generator))).ToList();
    }

    /// <summary>A loss whose gradient varies in sign and scale from step to step: Σ w·p + ½ Σ p².</summary>
    private static void Backward(IReadOnlyList<Parameter> parameters, int step)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator((ulong)(1000 + step));
        var loss = parameters.Select(p => (p * randn(p.shape, generator: generator).mul_(step % 7 == 0 ? 1e-4 : 3)).sum() + p.square().sum() * 0.5)
            .Aggregate((a, b) => a + b);
        loss.backward();
    }

    private static void Train(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, int steps)
    {
        for (var s = 0; s < steps; s++)
        {
            optimizer.zero_grad();
            Backward(parameters, s);
            optimizer.step();
        }
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 0.0, 1)]
    [InlineData(2e-4, 0.5, 0.999, 0.0, 1)]
    [InlineData(3e-2, 0.9, 0.99, 1e-3, 1)]
    [InlineData(1e-3, 0.9, 0.999, 0.0, 2)]
    public void Should_update_weights_and_state_bit_for_bit_as_torchsharp_adam(double lr, double beta1, double beta2, double weightDecay, int threads)
    {
        TorchRuntime.UseThreads(threads);
        var expected = Parameters(7);
        var actual = Parameters(7);
        using var reference = optim.Adam(expected, lr, beta1, beta2, weight_decay: weightDecay);
        using var fused = new Fused.Adam(actual, lr, beta1, beta2, weightDecay);

        Train(reference, expected, 60);
        Train(fused, actual, 60);
        TorchRuntime.UseThreads(1);

        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i].bytes.ToArray(), actual[i].bytes.ToArray());
        Assert.Equal(TorchState.Save(reference), TorchState.Save(fused));
    }

    [Fact]
    public void Should_continue_bit_for_bit_from_a_torchsharp_adam_state()
    {
        TorchRuntime.UseThreads(1);
        var expected = Parameters(3);
        var actual = Parameters(3);
        using var reference = optim.Adam(expected, 1e-3, 0.9, 0.999);
        Train(reference, expected, 5);
        using var fused = new Fused.Adam(actual, 1e-3, 0.9, 0.999);
        for (var i = 0; i < expected.Count; i++) using (no_grad()) actual[i].copy_(expected[i]);
        TorchState.Load(fused, TorchState.Save(reference));

        Train(reference, expected, 5);
        Train(fused, actual, 5);

        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i].bytes.ToArray(), actual[i].bytes.ToArray());
    }
}
