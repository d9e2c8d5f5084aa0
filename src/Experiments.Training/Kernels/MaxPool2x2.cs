using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Kernels;

/// <summary>
/// <c>max_pool2d(x, 2)</c> for float32 NCHW tensors on the CPU, bit-identical to libtorch's in
/// values and gradients, about ten times faster than libtorch 2.10's kernel on the CNN's shape
/// (docs/PERFORMANCE.md). Other inputs go to libtorch.
/// </summary>
public static class MaxPool2x2
{
    public static Tensor Apply(Tensor input) => Apply(input, relu: false);

    /// <summary>
    /// <c>relu(max_pool2d(x, 2))</c> in one pass, values and gradients bit-identical to the two
    /// libtorch ops: ReLU's forward and backward ride on the pooling's (no tensor, no pass of its own).
    /// </summary>
    public static Tensor ThenRelu(Tensor input) => Apply(input, relu: true);

    private static Tensor Apply(Tensor input, bool relu)
    {
        if (!Handles(input))
        {
            if (!relu) return nn.functional.max_pool2d(input, 2);
            using var pooled = nn.functional.max_pool2d(input, 2);
            return nn.functional.relu(pooled);
        }
        if (input.requires_grad && is_grad_enabled()) return MaxPool2x2Function.apply(input, relu);
        using var contiguous = input.contiguous();
        var (output, choice) = Forward(contiguous, relu);
        choice.Dispose();
        return output;
    }

    private static bool Handles(Tensor input) =>
        input.dtype == ScalarType.Float32 && input.device_type == DeviceType.CPU && input.dim() == 4 &&
        input.shape[2] >= 2 && input.shape[3] >= 2 && input.numel() * sizeof(float) <= int.MaxValue;

    /// <summary>The pooled values and, per output, which of the window's four positions it came from (−1: none, ReLU's zero).</summary>
    internal static unsafe (Tensor Output, Tensor Choice) Forward(Tensor input, bool relu)
    {
        var (planes, height, width) = Dimensions(input.shape);
        long[] outShape = [input.shape[0], input.shape[1], height / 2, width / 2];
        var output = empty(outShape, ScalarType.Float32);
        var choice = empty(outShape, ScalarType.Int32);
        fixed (byte* source = input.bytes, target = output.bytes, chosen = choice.bytes)
            MaxPool2x2Kernel.Forward((float*)source, (float*)target, (int*)chosen, planes, height, width, relu);
        return (output, choice);
    }

    internal static unsafe Tensor Backward(Tensor gradOutput, Tensor choice, long[] inputShape)
    {
        var (planes, height, width) = Dimensions(inputShape);
        using var gradient = gradOutput.contiguous();
        var gradInput = empty(inputShape, ScalarType.Float32);
        fixed (byte* g = gradient.bytes, chosen = choice.bytes, target = gradInput.bytes)
            MaxPool2x2Kernel.Backward((float*)g, (int*)chosen, (float*)target, planes, height, width);
        return gradInput;
    }

    private static (long Planes, int Height, int Width) Dimensions(long[] shape) =>
        (shape[0] * shape[1], (int)shape[2], (int)shape[3]);
}

/// <summary>The autograd node of <see cref="MaxPool2x2"/>: saves the int32 choices (0..3, or −1), not libtorch's int64 indices.</summary>
internal sealed class MaxPool2x2Function : autograd.SingleTensorFunction<MaxPool2x2Function>
{
    private const string InputShape = "input-shape";

    public override string Name => nameof(MaxPool2x2Function);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        using var contiguous = input.contiguous();
        var (output, choice) = MaxPool2x2.Forward(contiguous, relu: (bool)vars[1]);
        ctx.save_for_backward([choice]);
        ctx.save_data(InputShape, input.shape);
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var choice = ctx.get_saved_variables()[0];
        // One gradient per argument of apply: the input's, and none for the relu flag.
        return [MaxPool2x2.Backward(grad_output, choice, (long[])ctx.get_data(InputShape)), null!];
    }
}
