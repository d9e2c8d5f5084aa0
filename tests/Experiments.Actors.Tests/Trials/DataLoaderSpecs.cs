using Akka.Actor;
using System.Collections.Immutable;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Tests.Support;
using Experiments.Actors.Trials;
using Xunit.Abstractions;

namespace Experiments.Actors.Tests.Trials;

public sealed class DataLoaderSpecs(ITestOutputHelper output) : TestKit(TestConfig.Actors, output: output)
{
    /// <summary>An arbitrary fold: 100 indices that are not 0..99, so order and membership both show.</summary>
    private static readonly ImmutableArray<int> Fold = Enumerable.Range(0, 100).Select(i => 3 * i + 7).ToImmutableArray();

    /// <summary>Pulls batches of one epoch until the loader says it is exhausted.</summary>
    private List<int[]> PullEpoch(IActorRef loader, int epoch)
    {
        var batches = new List<int[]>();
        for (var index = 0; ; index++)
        {
            loader.Tell(new DataLoaderProtocol.NextBatch(epoch, index));
            var reply = ExpectMsg<object>(TestConfig.Patience);
            if (reply is DataLoaderProtocol.EpochExhausted exhausted)
            {
                Assert.Equal(new DataLoaderProtocol.EpochExhausted(epoch, index), exhausted);
                return batches;
            }
            var batch = Assert.IsType<DataLoaderProtocol.Batch>(reply);
            Assert.Equal((epoch, index), (batch.Epoch, batch.Index));
            batches.Add(batch.Indices);
        }
    }

    private int[] Fetch(IActorRef loader, int epoch, int index)
    {
        loader.Tell(new DataLoaderProtocol.NextBatch(epoch, index));
        return ExpectMsg<DataLoaderProtocol.Batch>(TestConfig.Patience).Indices;
    }

    [Fact]
    public void Should_serve_every_index_of_the_fold_exactly_once_per_epoch_in_batches_of_batch_size()
    {
        var loader = Sys.ActorOf(DataLoader.Props(Fold, batchSize: 32, seed: 1, stepsPerEpoch: null));

        foreach (var epoch in new[] { 1, 2 })
        {
            var batches = PullEpoch(loader, epoch);
            Assert.Equal([32, 32, 32, 4], batches.Select(b => b.Length));
            Assert.Equal(Fold.Order(), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void Should_shuffle_the_same_way_for_the_same_seed_and_epoch()
    {
        var first = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 5, stepsPerEpoch: null));
        var second = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 5, stepsPerEpoch: null));

        var order = PullEpoch(first, 3).SelectMany(b => b).ToList();

        Assert.Equal(order, PullEpoch(second, 3).SelectMany(b => b));
        Assert.NotEqual(Fold, order);
    }

    [Fact]
    public void Should_shuffle_differently_for_another_epoch_or_seed()
    {
        var loader = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 5, stepsPerEpoch: null));
        var otherSeed = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 6, stepsPerEpoch: null));

        var epochOne = PullEpoch(loader, 1).SelectMany(b => b).ToList();

        Assert.NotEqual(epochOne, PullEpoch(loader, 2).SelectMany(b => b));
        Assert.NotEqual(epochOne, PullEpoch(otherSeed, 1).SelectMany(b => b));
    }

    [Fact]
    public void Should_repeat_an_epoch_identically_when_asked_for_it_again()
    {
        // What a resumed trainer does: it goes back to the epoch after its checkpoint.
        var loader = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 9, stepsPerEpoch: null));

        var first = PullEpoch(loader, 1).SelectMany(b => b).ToList();
        PullEpoch(loader, 2);

        Assert.Equal(first, PullEpoch(loader, 1).SelectMany(b => b));
    }

    [Fact]
    public void Should_serve_a_batch_by_its_position_so_that_an_interrupted_epoch_can_start_over()
    {
        // What a restarted trainer does: it asks for its epoch again from batch 0.
        var loader = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 9, stepsPerEpoch: null));

        var first = Fetch(loader, 2, 0);
        var second = Fetch(loader, 2, 1);

        Assert.Equal(first, Fetch(loader, 2, 0));
        Assert.Equal(second, Fetch(loader, 2, 1));
    }

    [Fact]
    public void Should_end_the_epoch_after_steps_per_epoch_batches()
    {
        var loader = Sys.ActorOf(DataLoader.Props(Fold, 32, seed: 1, stepsPerEpoch: 2));

        var batches = PullEpoch(loader, 1);

        Assert.Equal([32, 32], batches.Select(b => b.Length));
        Assert.Equal(64, batches.SelectMany(b => b).Distinct().Count());
        Assert.Equal(2, PullEpoch(loader, 2).Count);
    }
}
