using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Experiments.Training.Kernels;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adam"/> with its step done by <see cref="AdamKernel"/>: one pass, chunk
/// by chunk, with libtorch's own square root routine, instead of eight tensor operations and their temporaries,
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

        public override Tensor step(Func<Tensor>? closure = null)
        {
            if (_parameter_groups.Any(group => group.Options is Options { amsgrad: true } or Options { maximize: true }))
                return base.step(closure);
            return _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                var threads = get_num_threads();
                foreach (var parameter in group.Parameters)
                {
                    using var grad = parameter.grad;
                    if (grad is null) continue;
                    var state = (State)_state[parameter.Handle];
                    state.step += 1;
                    var constants = AdamConstants.For(options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value,
                        options.eps!.Value, options.weight_decay!.Value, state.step);
                    Update(parameter, grad, state.exp_avg, state.exp_avg_sq, constants, threads);
                }
            }, closure);
        }

        private static unsafe void Update(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamConstants constants, int threads)
        {
            if (parameter.dtype != ScalarType.Float32 || parameter.device_type != DeviceType.CPU || grad.dtype != ScalarType.Float32)
                throw new NotSupportedException($"FusedAdam updates float32 CPU parameters only, not {parameter.dtype} on {parameter.device_type}.");
            using var contiguousGrad = grad.contiguous();
            var count = parameter.numel();
            var p = Pointer(parameter);
            var g = Pointer(contiguousGrad);
            var m = Pointer(expAvg);
            var v = Pointer(expAvgSq);
            ParallelKernel.ForEachRange(count, threads,
                (from, to) => AdamKernel.Step(p + from, g + from, m + from, v + from, to - from, constants), MinimumPerThread);
        }

        private const long MinimumPerThread = 1 << 16;

        /// <summary>A contiguous tensor's native memory: it never moves, so no pinning is needed.</summary>
        private static unsafe float* Pointer(Tensor tensor)
        {
            fixed (byte* bytes = tensor.bytes) return (float*)bytes;
        }
    }
}
