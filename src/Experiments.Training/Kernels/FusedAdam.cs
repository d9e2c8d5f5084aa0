using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Training.Kernels;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adam"/> with its step done by <see cref="AdamKernel"/>: one pass per
/// parameter (two around libtorch's square root where <see cref="VmlSqrt"/> does not reproduce it)
/// instead of eight tensor operations and their temporaries,
/// bit-identical in weights and state. The state (step count, exp_avg, exp_avg_sq) lives where TorchSharp's Adam keeps it, so
/// checkpoints are the same bytes and load into either. It needs no native Scalars, so it leaves
/// none for the finalizer. AMSGrad and maximize are not fused: they run Adam's own step.
/// </summary>
/// <remarks>
/// Named <c>Adam</c> (used as <c>Fused.Adam</c>) because TorchSharp writes the optimizer's type
/// name into its saved state and refuses a state under another name: so old checkpoints load.
/// </remarks>
public static class Fused
{
    public sealed class Adam : TorchSharp.Modules.Adam
    {
        public Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay = 0)
            : base(parameters, lr, beta1, beta2, eps: 1e-8, weight_decay: weightDecay)
        {
        }

        /// <summary>The parameters whose gradient <see cref="zero_grad"/> has dropped: zeroing would have kept a zero gradient for them ever after.</summary>
        private readonly HashSet<Parameter> _zeroed = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// Drops the gradients instead of zeroing them, so that backward stores its fresh gradient
        /// instead of adding it into zeros: one pass less to zero and one less to add, per parameter
        /// and step. The same results: the kernel turns −0 into +0 as 0 + g did, and a parameter
        /// that then gets no gradient steps on zeros as before.
        /// </summary>
        public override void zero_grad()
        {
            if (Unfused) { base.zero_grad(); return; }
            foreach (var group in _parameter_groups)
                foreach (var parameter in group.Parameters)
                {
                    using var grad = parameter.grad;
                    if (grad is null) continue;
                    parameter.grad = null;
                    _zeroed.Add(parameter);
                }
        }

        private bool Unfused => _parameter_groups.Any(group => group.Options is Options { amsgrad: true } or Options { maximize: true });

        public override Tensor step(Func<Tensor>? closure = null)
        {
            if (Unfused) return base.step(closure);
            return _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                foreach (var parameter in group.Parameters)
                {
                    using var grad = parameter.grad ?? (_zeroed.Contains(parameter) ? zeros_like(parameter) : null);
                    if (grad is null) continue;
                    var state = (State)_state[parameter.Handle];
                    state.step += 1;
                    var constants = AdamConstants.For(options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value,
                        options.eps!.Value, options.weight_decay!.Value, state.step);
                    Update(parameter, grad, state.exp_avg, state.exp_avg_sq, constants);
                }
            }, closure);
        }

        private static unsafe void Update(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamConstants constants)
        {
            if (parameter.dtype != ScalarType.Float32 || parameter.device_type != DeviceType.CPU || grad.dtype != ScalarType.Float32)
                throw new NotSupportedException($"FusedAdam updates float32 CPU parameters only, not {parameter.dtype} on {parameter.device_type}.");
            using var contiguousGrad = grad.contiguous();
            var count = parameter.numel();
            var p = Pointer(parameter);
            var g = Pointer(contiguousGrad);
            var m = Pointer(expAvg);
            var v = Pointer(expAvgSq);
            if (VmlSqrt.ReproducesLibtorch)
            {
                AdamKernel.Step(p, g, m, v, count, constants);
                return;
            }
            AdamKernel.Moments(p, g, m, v, count, constants);
            using var root = expAvgSq.sqrt();
            var s = Pointer(root);
            AdamKernel.Update(p, m, s, count, constants);
        }

        /// <summary>A contiguous tensor's native memory: it never moves, so no pinning is needed.</summary>
        private static unsafe float* Pointer(Tensor tensor)
        {
            fixed (byte* bytes = tensor.bytes) return (float*)bytes;
        }
    }
}
