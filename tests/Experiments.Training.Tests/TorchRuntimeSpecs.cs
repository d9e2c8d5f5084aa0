using static TorchSharp.torch;

namespace Experiments.Training.Tests;

public class TorchRuntimeSpecs
{
    [Fact]
    public async Task Should_serve_every_thread_once_loading_started_in_the_background()
    {
        TorchRuntime.StartLoading();
        // Threads that need libtorch while it may still be loading wait for it, then use it as usual.
        var sums = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            TorchRuntime.EnsureLoaded();
            using var sum = ones(3).sum();
            return sum.item<float>();
        })));
        Assert.All(sums, s => Assert.Equal(3f, s));
    }
}
