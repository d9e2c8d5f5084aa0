using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Training.Gan;

/// <summary>
/// MLP discriminator: 784 → 1024 → 512 → 256 → 1 (hidden widths times the width multiplier),
/// LeakyReLU(0.2) between layers; returns logits [B,1] (the loss is BCE-with-logits).
/// </summary>
public sealed class Discriminator : Module<Tensor, Tensor>
{
    public static readonly int[] BaseWidths = [1024, 512, 256];
    private const int Pixels = 28 * 28;

    private readonly Sequential layers;

    public Discriminator(Func<int, int> scaleWidth) : base(nameof(Discriminator))
    {
        layers = GanLayers.Mlp(Pixels, BaseWidths.Select(scaleWidth).ToArray(), 1, batchNorm: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        using var flat = images.flatten(1);
        return layers.forward(flat);
    }
}
