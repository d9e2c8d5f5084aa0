using System.Diagnostics;
using Experiments.Training;
using Experiments.Training.Data;
using Experiments.Training.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Bench;

/// <summary>
/// Where a CNN step's time goes, phase by phase (the project's formulation), with libtorch's
/// max_pool2d and TorchSharp's Adam, or with the project's kernels (Training/Kernels).
/// </summary>
public static class Profile
{
    /// <param name="fusedRelu">With the project's kernels: ReLU inside the pooling (MaxPool2x2.ThenRelu, as DigitCnn runs it), timed as max_pool2d.</param>
    public static void Run(IDigitSource data, bool projectKernels, int threads = 1, bool fusedRelu = false, int hidden = 128)
    {
        TorchRuntime.UseThreads(threads);
        Console.WriteLine((projectKernels ? fusedRelu ? "project kernels (MaxPool2x2.ThenRelu, Fused.Adam)" : "project kernels (MaxPool2x2, Fused.Adam)" : "libtorch max_pool2d, TorchSharp Adam") + $", {threads} thread(s), hidden {hidden}");
        var conv = nn.Conv2d(1, 32, 3);
        var fc1 = nn.Linear(5408, hidden);
        var fc2 = nn.Linear(hidden, 10);
        var ps = conv.parameters().Concat(fc1.parameters()).Concat(fc2.parameters()).ToList();
        using var opt = projectKernels ? new Fused.Adam(ps, 1e-3, beta1: 0.9, beta2: 0.999) : optim.Adam(ps, 1e-3, beta1: 0.9, beta2: 0.999);
        var idx = Enumerable.Range(0, 64).ToArray();
        var t = new Dictionary<string, double>();
        void Time(string name, Action a) { var sw = Stopwatch.StartNew(); a(); t[name] = t.GetValueOrDefault(name) + sw.Elapsed.TotalMilliseconds; }
        for (int s = 0; s < 150; s++)
        {
            if (s == 50) t.Clear();
            using var scope = NewDisposeScope();
            Tensor x = null!, y = null!, c = null!, p = null!, r = null!, h = null!, o = null!, loss = null!;
            Time("batch", () => (x, y) = data.Batch(idx));
            Time("conv", () => c = conv.forward(x));
            Time("max_pool2d", () => p = !projectKernels ? nn.functional.max_pool2d(c, 2) : fusedRelu ? MaxPool2x2.ThenRelu(c) : MaxPool2x2.Apply(c));
            Time("relu", () => r = fusedRelu ? p : nn.functional.relu(p));
            Time("fc1", () => h = nn.functional.relu(fc1.forward(r.flatten(1))));
            Time("fc2+loss", () => { o = fc2.forward(h); loss = nn.functional.cross_entropy(o, y); });
            Time("zero_grad", () => opt.zero_grad());
            Time("backward", () => loss.backward());
            Time("step", () => opt.step());
            Time("item", () => loss.item<float>());
        }
        foreach (var (k, v) in t) Console.WriteLine($"{k,-10} {v / 100:0.000} ms");
        Console.WriteLine($"total      {t.Values.Sum() / 100:0.000} ms");
    }
}
