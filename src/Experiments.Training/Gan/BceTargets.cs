using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Gan;

/// <summary>
/// The constant tensors and scalars of a GAN step, allocated once and reused: every step would
/// otherwise create fresh native Scalars (each double converted implicitly) and target tensors,
/// whose native memory waits for the garbage collector (../shared/STACK.md). Views handed out are
/// owned by the caller's dispose scope; the storage stays here.
/// </summary>
internal sealed class BceTargets(double realTarget) : IDisposable
{
    private Tensor _real = empty(0).DetachFromDisposeScope();
    private Tensor _zeros = empty(0).DetachFromDisposeScope();
    private Tensor _ones = empty(0).DetachFromDisposeScope();

    public Scalar One { get; } = 1.0.ToScalar();
    public Scalar Two { get; } = 2.0.ToScalar();

    /// <summary>Targets for real digits: 1 − label smoothing.</summary>
    public Tensor Real(int n) => Slice(ref _real, n, realTarget);
    public Tensor Zeros(int n) => Slice(ref _zeros, n, 0);
    public Tensor Ones(int n) => Slice(ref _ones, n, 1);

    /// <summary>The first <paramref name="n"/> rows [n,1]; grows the storage when a larger batch arrives.</summary>
    private static Tensor Slice(ref Tensor storage, int n, double value)
    {
        if (storage.shape[0] < n)
        {
            storage.Dispose();
            storage = full([n, 1], value).DetachFromDisposeScope();
        }
        return storage.narrow(0, 0, n);
    }

    public void Dispose()
    {
        _real.Dispose();
        _zeros.Dispose();
        _ones.Dispose();
        One.Dispose();
        Two.Dispose();
    }
}
