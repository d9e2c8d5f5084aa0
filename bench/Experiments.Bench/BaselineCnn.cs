using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Bench;

/// <summary>
/// The CNN written the straightforward way (ReLU then max_pool2d), for comparison with the
/// project's DigitCnn, which computes the same function faster.
/// </summary>
public sealed class BaselineCnn : Module<Tensor, Tensor>
{
    private readonly Conv2d conv = Conv2d(1, 32, 3);
    private readonly MaxPool2d pool = MaxPool2d(2);
    private readonly Linear hidden;
    private readonly Linear output;

    public BaselineCnn(int hiddenWidth) : base(nameof(BaselineCnn))
    {
        hidden = Linear(32 * 13 * 13, hiddenWidth);
        output = Linear(hiddenWidth, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        output.forward(functional.relu(hidden.forward(pool.forward(functional.relu(conv.forward(input))).flatten(1))));
}
