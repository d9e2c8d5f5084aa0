using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Bench;

/// <summary>How the ReLU + 2×2 max pooling of the CNN is computed; all give the same function.</summary>
public enum PoolingFormulation
{
    /// <summary>ReLU, then max_pool2d: the textbook order.</summary>
    ReluThenPool,
    /// <summary>max_pool2d, then ReLU on a quarter of the values (equal: ReLU is monotone).</summary>
    PoolThenRelu,
    /// <summary>A max over a [N,C,13,2,13,2] view, then ReLU.</summary>
    ViewMaxThenRelu,
    /// <summary>The elementwise maximum of the four strided 13×13 slices, then ReLU.</summary>
    SlicesMaxThenRelu,
}

/// <summary>The CNN with a chosen pooling formulation, to measure what each buys against DigitCnn.</summary>
public sealed class BaselineCnn : Module<Tensor, Tensor>
{
    private readonly Conv2d conv = Conv2d(1, 32, 3);
    private readonly Linear hidden;
    private readonly Linear output;
    private readonly PoolingFormulation _pooling;

    public BaselineCnn(int hiddenWidth, PoolingFormulation pooling) : base(nameof(BaselineCnn))
    {
        _pooling = pooling;
        hidden = Linear(32 * 13 * 13, hiddenWidth);
        output = Linear(hiddenWidth, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = conv.forward(input);
        x = _pooling switch
        {
            PoolingFormulation.ReluThenPool => functional.max_pool2d(functional.relu(x), 2),
            PoolingFormulation.PoolThenRelu => functional.relu(functional.max_pool2d(x, 2)),
            PoolingFormulation.ViewMaxThenRelu => functional.relu(x.view(x.shape[0], 32, 13, 2, 13, 2).amax([3, 5])),
            _ => functional.relu(SlicesMax(x)),
        };
        return output.forward(functional.relu(hidden.forward(x.flatten(1))));
    }

    private static Tensor SlicesMax(Tensor x)
    {
        var even = TensorIndex.Slice(0, null, 2);
        var odd = TensorIndex.Slice(1, null, 2);
        var all = TensorIndex.Colon;
        return torch.maximum(
            torch.maximum(x[all, all, even, even], x[all, all, even, odd]),
            torch.maximum(x[all, all, odd, even], x[all, all, odd, odd]));
    }
}
