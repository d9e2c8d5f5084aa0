using Experiments.Training.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Kernels;

public class FusedAdamSpecs
{
    // Odd sizes leave a scalar tail after the vector loop; the large one is fc1's weight;
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

    /// <summary>
    /// Steps both optimizers with the gradient exactly <c>gradients[step]</c> for the first
    /// parameter (and for the second when <c>both</c>), comparing weights and state after every step.
    /// </summary>
    private static void TrainAlike(OptimizerHelper reference, IReadOnlyList<Parameter> expected, OptimizerHelper fused, IReadOnlyList<Parameter> actual,
        float[][] gradients, Func<int, bool> both)
    {
        for (var s = 0; s < gradients.Length; s++)
        {
            StepOn(reference, expected, gradients[s], both(s));
            StepOn(fused, actual, gradients[s], both(s));
            for (var i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i].bytes.ToArray(), actual[i].bytes.ToArray());
            Assert.Equal(TorchState.Save(reference), TorchState.Save(fused));
        }
    }

    private static void StepOn(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, float[] gradient, bool both)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var w = tensor(gradient);
        var loss = (parameters[0] * w).sum();
        if (both) loss = loss + (parameters[1] * w).sum();
        loss.backward();
        optimizer.step();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-2)]
    public void Should_take_a_minus_zero_gradient_as_backward_into_zeroed_gradients_gives_it(double weightDecay)
    {
        TorchRuntime.UseThreads(1);
        // 0.1 × the smallest denormal rounds to −0, so m becomes −0; a −0 gradient after it decides
        // m's sign: +0 through 0 + g (TorchSharp's Adam after zero_grad), −0 if taken as it is.
        var random = new Random(3);
        float[] specials = [-1e-45f, -0f, 0f, 1e-45f, -3e-45f];
        var gradients = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 19)
            .Select(_ => random.Next(4) == 0 ? (float)random.NextDouble() - 0.5f : specials[random.Next(specials.Length)]).ToArray()).ToArray();
        List<Parameter> Parameters() => [new(tensor(Enumerable.Range(0, 19).Select(i => i % 3 == 0 ? -0f : i * 0.1f - 1).ToArray())), new(zeros(19))];
        var expected = Parameters();
        var actual = Parameters();
        using var reference = optim.Adam(expected, 1e-3, 0.9, 0.999, weight_decay: weightDecay);
        using var fused = new Fused.Adam(actual, 1e-3, 0.9, 0.999, weightDecay);

        TrainAlike(reference, expected, fused, actual, gradients, _ => true);
    }

    [Fact]
    public void Should_step_bit_for_bit_where_some_blocks_hold_zero_or_denormal_second_moments()
    {
        TorchRuntime.UseThreads(1);
        // 3 blocks of the kernel's 1,024 floats and a tail: the second block's gradient is zero on a
        // stretch (v stays +0) and denormal on another, lanes MKL's vector path leaves to its scalar one.
        const int size = 3 * 1024 + 13;
        var random = new Random(5);
        var gradients = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, size).Select(i => i switch
        {
            >= 1100 and < 1200 => 0f,
            >= 1500 and < 1540 => 1e-20f * (float)random.NextDouble(), // v = 0.001·g² is denormal
            _ => (float)random.NextDouble() - 0.5f,
        }).ToArray()).ToArray();
        List<Parameter> Parameters() => [new(linspace(-1, 1, size)), new(zeros(size))];
        var expected = Parameters();
        var actual = Parameters();
        using var reference = optim.Adam(expected, 1e-3, 0.9, 0.999);
        using var fused = new Fused.Adam(actual, 1e-3, 0.9, 0.999);

        TrainAlike(reference, expected, fused, actual, gradients, s => s % 2 == 0);
    }

    [Fact]
    public void Should_step_on_a_zero_gradient_where_backward_gave_none_after_zero_grad()
    {
        TorchRuntime.UseThreads(1);
        var random = new Random(4);
        var gradients = Enumerable.Range(0, 9).Select(_ => Enumerable.Range(0, 19).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        List<Parameter> Parameters() => [new(ones(19)), new(ones(19))];
        var expected = Parameters();
        var actual = Parameters();
        using var reference = optim.Adam(expected, 1e-2, 0.9, 0.999);
        using var fused = new Fused.Adam(actual, 1e-2, 0.9, 0.999);

        // The second parameter gets a gradient on the first step and on every third one after it.
        TrainAlike(reference, expected, fused, actual, gradients, s => s % 3 == 0);
    }
}
