using Experiments.Core.Spec;
using Experiments.Training.Cnn;
using Experiments.Training.Data;
using Experiments.Training.Gan;

namespace Experiments.Training.Tests.Gan;

/// <summary>
/// The real digits and the FID classifier, trained once per test run into a scratch cache folder,
/// asked for by two threads at once as two trials would.
/// </summary>
public sealed class GanFixture : IDisposable
{
    private readonly TempDir _cache = new();

    public DigitDataset Digits { get; } = DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, null));
    public string CacheDirectory => _cache.Path;
    public IReadOnlyList<CachedClassifier> ConcurrentRequests { get; }

    public GanFixture()
    {
        var results = new CachedClassifier[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            TorchRuntime.UseThreads(1);
            results[i] = DigitClassifierCache.Ensure(Digits, DigitClassifierCache.DefaultSeed, CacheDirectory);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        ConcurrentRequests = results;
    }

    public DigitCnn LoadClassifier() => DigitClassifierCache.Load(Digits, DigitClassifierCache.DefaultSeed, CacheDirectory);

    public void Dispose()
    {
        Digits.Dispose();
        _cache.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class GanCollection : ICollectionFixture<GanFixture>
{
    public const string Name = "gan";
}
