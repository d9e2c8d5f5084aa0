using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Experiments.Training.Gan;

/// <summary>
/// MLP generator: z → 128 → 256 → 512 → 1024 → 784 (hidden widths times the width multiplier),
/// batch norm and LeakyReLU(0.2) between layers (batch norm makes it learn digit shapes within a
/// few hundred steps instead of thousands), tanh at the end; returns images [B,1,28,28] in [-1, 1].
/// </summary>
public sealed class Generator : Module<Tensor, Tensor>
{
    public static readonly int[] BaseWidths = [128, 256, 512, 1024];
    private const int Side = 28;

    private readonly Sequential layers;

    public int ZSize { get; }

    public Generator(int zSize, Func<int, int> scaleWidth) : base(nameof(Generator))
    {
        ZSize = zSize;
        layers = GanLayers.Mlp(zSize, BaseWidths.Select(scaleWidth).ToArray(), Side * Side, batchNorm: true);
        layers.append("tanh", Tanh());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        using var flat = layers.forward(z);
        return flat.view(-1, 1, Side, Side);
    }
}

/// <summary>The shared shape of both networks: Linear layers with LeakyReLU(0.2) between them.</summary>
internal static class GanLayers
{
    public const double LeakySlope = 0.2;

    /// <param name="batchNorm">Batch norm after every hidden Linear but the first (as in the common MNIST MLP GAN).</param>
    public static Sequential Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, bool batchNorm)
    {
        var layers = Sequential();
        var width = inputs;
        for (var i = 0; i < hidden.Count; i++)
        {
            layers.append($"linear{i}", Linear(width, hidden[i]));
            if (batchNorm && i > 0) layers.append($"norm{i}", BatchNorm1d(hidden[i]));
            layers.append($"act{i}", LeakyReLU(LeakySlope));
            width = hidden[i];
        }
        layers.append($"linear{hidden.Count}", Linear(width, outputs));
        return layers;
    }
}
