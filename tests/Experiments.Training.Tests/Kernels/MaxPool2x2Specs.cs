using Experiments.Training.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Kernels;

public class MaxPool2x2Specs
{
    /// <summary>Values from a few levels only, so that windows hold ties; some NaNs, ±0 and ±∞.</summary>
    private static Tensor TiedInput(long[] shape, int seed, bool nans)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        for (var i = 0; i < values.Length; i++)
        {
            var draw = random.Next(100);
            values[i] = draw < 3 ? specials[random.Next(nans ? specials.Length : specials.Length - 1)]
                : draw < 50 ? random.Next(-3, 4) * 0.5f
                : (float)(random.NextDouble() * 4 - 2);
        }
        return tensor(values, shape);
    }

    private static Tensor Gradient(long[] shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++)
            values[i] = random.Next(10) switch { 0 => -0f, 1 => 0f, 2 => float.NaN, _ => (float)(random.NextDouble() * 2 - 1) };
        return tensor(values, shape);
    }

    private static void AssertBitIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.contiguous().bytes.ToArray(), actual.contiguous().bytes.ToArray());
    }

    private static (Tensor Output, Tensor Gradient) ForwardBackward(Func<Tensor, Tensor> pool, Tensor input, Tensor upstream)
    {
        using var x = input.clone().requires_grad_(true);
        var output = pool(x);
        output.backward([upstream]);
        return (output.detach().clone(), x.grad!.clone());
    }

    [Theory]
    [InlineData(1, 4, 26, 26, 1, false)]
    [InlineData(2, 3, 7, 9, 2, true)]
    [InlineData(3, 2, 6, 5, 3, true)]
    [InlineData(1, 1, 2, 2, 4, true)]
    [InlineData(4, 8, 26, 26, 5, true)]
    [InlineData(2, 3, 9, 19, 6, true)]
    [InlineData(1, 2, 16, 17, 7, true)]
    [InlineData(2, 2, 4, 40, 8, true)]
    public void Should_match_libtorch_bit_for_bit_forward_and_backward(int n, int c, int h, int w, int seed, bool nans)
    {
        TorchRuntime.UseThreads(1);
        using var scope = NewDisposeScope();
        long[] shape = [n, c, h, w];
        var input = TiedInput(shape, seed, nans);
        var upstream = Gradient([n, c, h / 2, w / 2], seed + 100);

        var (expectedOut, expectedGrad) = ForwardBackward(x => nn.functional.max_pool2d(x, 2), input, upstream);
        var (actualOut, actualGrad) = ForwardBackward(MaxPool2x2.Apply, input, upstream);

        AssertBitIdentical(expectedOut, actualOut);
        AssertBitIdentical(expectedGrad, actualGrad);
    }

    private static Tensor PoolThenRelu(Tensor x) => nn.functional.relu(nn.functional.max_pool2d(x, 2));

    [Theory]
    [InlineData(1, 4, 26, 26, 21, 1)]
    [InlineData(2, 3, 7, 9, 22, 1)]
    [InlineData(3, 2, 6, 5, 23, 1)]
    [InlineData(4, 8, 26, 26, 24, 1)]
    [InlineData(2, 3, 9, 19, 25, 1)]
    [InlineData(2, 2, 4, 40, 26, 1)]
    [InlineData(8, 32, 26, 26, 27, 2)]
    [InlineData(2, 3, 9, 19, 28, 2)]
    public void Should_match_libtorch_max_pool2d_then_relu_bit_for_bit_forward_and_backward(int n, int c, int h, int w, int seed, int threads)
    {
        TorchRuntime.UseThreads(threads);
        using var scope = NewDisposeScope();
        long[] shape = [n, c, h, w];
        var input = TiedInput(shape, seed, nans: true);
        var upstream = Gradient([n, c, h / 2, w / 2], seed + 100);

        var (expectedOut, expectedGrad) = ForwardBackward(PoolThenRelu, input, upstream);
        var (actualOut, actualGrad) = ForwardBackward(MaxPool2x2.ThenRelu, input, upstream);
        TorchRuntime.UseThreads(1);

        AssertBitIdentical(expectedOut, actualOut);
        AssertBitIdentical(expectedGrad, actualGrad);
    }

    [Fact]
    public void Should_keep_minus_zero_and_nan_and_pass_gradients_only_where_relu_does()
    {
        TorchRuntime.UseThreads(1);
        using var scope = NewDisposeScope();
        var nan = float.NaN;
        // Windows whose maxima are −0, NaN, a negative value and a positive one, twice over: the
        // first four as the vector path sees them (8 windows a row), then as the scalar one (2).
        float[] row = [-0f, -1f, nan, -2f, -3f, -4f, 5f, 1f];
        var vector = tensor(Enumerable.Range(0, 2).SelectMany(_ => row.Concat(row)).ToArray(), [1, 1, 2, 16]);
        var scalar = tensor(new[] { -0f, -1f, nan, -2f, -3f, -4f, 5f, 1f }, [1, 1, 2, 4]);
        foreach (var input in new[] { vector, scalar })
        {
            var upstream = -ones([1, 1, 1, input.shape[3] / 2]);
            var (expectedOut, expectedGrad) = ForwardBackward(PoolThenRelu, input, upstream);
            var (actualOut, actualGrad) = ForwardBackward(MaxPool2x2.ThenRelu, input, upstream);
            AssertBitIdentical(expectedOut, actualOut);
            AssertBitIdentical(expectedGrad, actualGrad);
        }
    }

    [Fact]
    public void Should_pick_the_first_of_tied_maxima_and_the_last_nan()
    {
        TorchRuntime.UseThreads(1);
        using var scope = NewDisposeScope();
        var nan = float.NaN;
        // Windows: tie of all four; tie of the last two; NaN first then larger values; two NaNs.
        var input = tensor(new[] { 1f, 1f, 0f, 2f, nan, 5f, nan, 0f, 1f, 1f, 2f, 2f, 7f, 8f, 1f, nan }, [1, 1, 4, 4]);
        var upstream = tensor(new[] { 1f, 2f, 3f, 4f }, [1, 1, 2, 2]);

        var (expectedOut, expectedGrad) = ForwardBackward(x => nn.functional.max_pool2d(x, 2), input, upstream);
        var (actualOut, actualGrad) = ForwardBackward(MaxPool2x2.Apply, input, upstream);

        AssertBitIdentical(expectedOut, actualOut);
        AssertBitIdentical(expectedGrad, actualGrad);
    }

    [Fact]
    public void Should_give_the_same_bits_on_two_threads_as_on_one()
    {
        using var scope = NewDisposeScope();
        var input = TiedInput([8, 32, 26, 26], 9, nans: true);
        var upstream = Gradient([8, 32, 13, 13], 10);
        TorchRuntime.UseThreads(1);
        var (oneOut, oneGrad) = ForwardBackward(MaxPool2x2.Apply, input, upstream);
        TorchRuntime.UseThreads(2);
        var (twoOut, twoGrad) = ForwardBackward(MaxPool2x2.Apply, input, upstream);
        TorchRuntime.UseThreads(1);

        AssertBitIdentical(oneOut, twoOut);
        AssertBitIdentical(oneGrad, twoGrad);
    }

    [Fact]
    public void Should_pool_without_a_graph_under_no_grad_and_a_non_contiguous_input_alike()
    {
        TorchRuntime.UseThreads(1);
        using var scope = NewDisposeScope();
        var input = TiedInput([2, 3, 10, 12], 11, nans: true).transpose(2, 3); // non-contiguous [2,3,12,10]
        using var noGrad = no_grad();
        AssertBitIdentical(nn.functional.max_pool2d(input, 2), MaxPool2x2.Apply(input));
    }
}
