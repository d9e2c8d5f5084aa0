namespace Experiments.Training.Kernels;

/// <summary>
/// 2×2 max pooling with stride 2 (floor mode, no padding) over contiguous NCHW float planes, and
/// its gradient. Chooses exactly what libtorch's CPU kernel chooses: the window is scanned in row
/// order, a later value wins only when strictly greater, and a NaN always wins (so the last NaN of
/// a window is the one picked); the output is the chosen value's bits. The choice is kept as one
/// byte per output (0..3, scan position) for the backward pass.
/// </summary>
internal static unsafe class MaxPool2x2Kernel
{
    public static void Forward(float* input, float* output, byte* choice, long planes, int height, int width, int threads) =>
        ParallelKernel.ForEachRange(planes, threads, (from, to) => ForwardPlanes(input, output, choice, from, to, height, width), minimumPerPart: 64);

    /// <summary>
    /// Writes every element of the input gradient: the chosen position of a window gets 0 + g
    /// (libtorch adds into zeros, so −0 becomes +0), the others and the rows and columns no window
    /// covers (odd sizes) get +0.
    /// </summary>
    public static void Backward(float* gradOutput, byte* choice, float* gradInput, long planes, int height, int width, int threads) =>
        ParallelKernel.ForEachRange(planes, threads, (from, to) => BackwardPlanes(gradOutput, choice, gradInput, from, to, height, width), minimumPerPart: 64);

    private static void ForwardPlanes(float* input, float* output, byte* choice, long from, long to, int height, int width)
    {
        int outHeight = height / 2, outWidth = width / 2;
        for (var plane = from; plane < to; plane++)
        {
            var source = input + plane * height * width;
            var o = output + plane * outHeight * outWidth;
            var c = choice + plane * outHeight * outWidth;
            for (var i = 0; i < outHeight; i++)
            {
                var top = source + 2 * i * width;
                var bottom = top + width;
                for (var j = 0; j < outWidth; j++)
                {
                    var max = top[2 * j];
                    var at = 0;
                    var v = top[2 * j + 1];
                    if (v > max || float.IsNaN(v)) { max = v; at = 1; }
                    v = bottom[2 * j];
                    if (v > max || float.IsNaN(v)) { max = v; at = 2; }
                    v = bottom[2 * j + 1];
                    if (v > max || float.IsNaN(v)) { max = v; at = 3; }
                    o[j] = max;
                    c[j] = (byte)at;
                }
                o += outWidth;
                c += outWidth;
            }
        }
    }

    private static void BackwardPlanes(float* gradOutput, byte* choice, float* gradInput, long from, long to, int height, int width)
    {
        int outHeight = height / 2, outWidth = width / 2;
        for (var plane = from; plane < to; plane++)
        {
            var g = gradOutput + plane * outHeight * outWidth;
            var c = choice + plane * outHeight * outWidth;
            var target = gradInput + plane * height * width;
            for (var i = 0; i < outHeight; i++)
            {
                var top = target + 2 * i * width;
                var bottom = top + width;
                for (var j = 0; j < outWidth; j++)
                {
                    var value = g[j] == 0f ? 0f : g[j]; // 0 + g, without trusting the JIT not to fold it
                    var at = c[j];
                    top[2 * j] = at == 0 ? value : 0f;
                    top[2 * j + 1] = at == 1 ? value : 0f;
                    bottom[2 * j] = at == 2 ? value : 0f;
                    bottom[2 * j + 1] = at == 3 ? value : 0f;
                }
                if ((width & 1) == 1) { top[width - 1] = 0f; bottom[width - 1] = 0f; }
                g += outWidth;
                c += outWidth;
            }
            if ((height & 1) == 1) new Span<float>(target + (height - 1) * width, width).Clear();
        }
    }
}
