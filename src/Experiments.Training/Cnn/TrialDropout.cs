using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Cnn;

/// <summary>
/// Inverted dropout whose masks come from a generator the trial owns. torch's Dropout draws from
/// the process-wide generator, so two trainers on two threads interleave their draws and a sweep's
/// results would depend on timing; with the trial's own generator a trial-fold's masks depend only
/// on its seed. Same arithmetic as torch's: keep with probability 1 − p, scale kept values by 1/(1 − p).
/// </summary>
public sealed class TrialDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;
    private readonly torch.Generator? _noise;

    /// <param name="noise">The trial's generator; may be null only when <paramref name="rate"/> is 0.</param>
    public TrialDropout(double rate, torch.Generator? noise) : base(nameof(TrialDropout))
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "dropout rate must be in [0, 1)");
        if (rate > 0 && noise is null) throw new ArgumentNullException(nameof(noise), "dropout above 0 needs the trial's generator");
        _rate = rate;
        _noise = noise;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _rate == 0) return input.alias();
        using var uniform = rand(input.shape, dtype: input.dtype, generator: _noise);
        using var keep = uniform.ge(_rate);
        using var scaled = input.mul(keep);
        return scaled.div(1 - _rate);
    }
}
