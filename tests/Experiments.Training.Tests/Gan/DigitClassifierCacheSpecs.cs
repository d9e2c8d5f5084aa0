using Experiments.Training.Checkpoints;
using Experiments.Training.Cnn;
using Experiments.Training.Gan;
using TorchSharp;
using Xunit.Abstractions;

namespace Experiments.Training.Tests.Gan;

[Collection(GanCollection.Name)]
public class DigitClassifierCacheSpecs(GanFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Should_train_the_classifier_once_when_two_trials_ask_at_once()
    {
        Assert.Single(fixture.ConcurrentRequests, r => r.TrainedNow);
        Assert.Equal(fixture.ConcurrentRequests[0].Path, fixture.ConcurrentRequests[1].Path);
    }

    [Fact]
    public void Should_cache_it_under_classifiers_keyed_by_dataset_count_and_seed()
    {
        var expected = Path.Combine(fixture.CacheDirectory, "classifiers", "mnist-default-10000-seed0.ckpt");
        Assert.Equal(expected, DigitClassifierCache.PathFor(fixture.Digits, 0, fixture.CacheDirectory));
        Assert.True(File.Exists(expected));
        Assert.True(File.Exists(expected + ".sha256"));
    }

    [Fact]
    public void Should_classify_at_least_95_percent_of_held_out_digits()
    {
        output.WriteLine($"held-out accuracy {fixture.ConcurrentRequests[0].HeldOutAccuracy:P2}");
        Assert.All(fixture.ConcurrentRequests, r => Assert.True(r.HeldOutAccuracy >= 0.95, $"accuracy {r.HeldOutAccuracy}"));
    }

    [Fact]
    public async Task Should_not_draw_inside_another_threads_seeded_initialisation_when_loading_a_copy()
    {
        float Draw()
        {
            using var drawn = torch.rand(4);
            return drawn.data<float>().ToArray().Sum();
        }
        var expected = SeededInit.Create(11, Draw);
        Task<DigitCnn>? loading = null;
        // Thread A holds the seeded initialisation open while thread B loads a copy of the classifier;
        // had B built its model outside the lock, its draws would come between A's seed and A's draw.
        var drawn = SeededInit.Create(11, () =>
        {
            loading = Task.Run(fixture.LoadClassifier);
            // With the lock, the load cannot finish before this draw, so the wait runs out; without it
            // the load finishes here, having drawn in between.
            SpinWait.SpinUntil(() => loading.IsCompleted, TimeSpan.FromMilliseconds(500));
            return Draw();
        });
        using var copy = await loading!;
        Assert.Equal(expected, drawn);
    }

    [Fact]
    public void Should_reuse_the_cached_file_on_later_requests()
    {
        var path = DigitClassifierCache.PathFor(fixture.Digits, 0, fixture.CacheDirectory);
        var written = File.GetLastWriteTimeUtc(path);
        var again = DigitClassifierCache.Ensure(fixture.Digits, 0, fixture.CacheDirectory);
        Assert.False(again.TrainedNow);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void Should_give_each_caller_its_own_copy_of_the_same_weights()
    {
        using var a = fixture.LoadClassifier();
        using var b = fixture.LoadClassifier();
        var (pa, pb) = (a.parameters().First(), b.parameters().First());
        Assert.NotSame(pa, pb);
        Assert.True(pa.equal(pb).all().item<bool>());
        Assert.False(a.training);
    }

    [Fact]
    public void Should_retrain_over_a_damaged_cache_file()
    {
        using var cache = new TempDir();
        var path = DigitClassifierCache.PathFor(fixture.Digits, 0, cache.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(DigitClassifierCache.PathFor(fixture.Digits, 0, fixture.CacheDirectory), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path));

        TorchRuntime.UseThreads(1);
        var repaired = DigitClassifierCache.Ensure(fixture.Digits, 0, cache.Path);
        Assert.True(repaired.TrainedNow);
        Assert.Equal(fixture.ConcurrentRequests[0].HeldOutAccuracy, repaired.HeldOutAccuracy);
    }
}
