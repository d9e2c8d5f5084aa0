using System.Collections.Immutable;
using Akka.Actor;

namespace Experiments.Actors.Trials;

public static class DataLoaderProtocol
{
    /// <summary>
    /// Pull: the trainer asks for batch <see cref="Index"/> (0-based) of an epoch. Naming the
    /// position, rather than asking for "the next", lets a restarted trainer start its epoch over,
    /// and the replies say which request they answer, so it can ignore those meant for the
    /// instance that crashed.
    /// </summary>
    public sealed record NextBatch(int Epoch, int Index);
    public sealed record Batch(int Epoch, int Index, int[] Indices);
    public sealed record EpochExhausted(int Epoch, int Index);
}

/// <summary>
/// Serves shuffled batches of a fold's training indices on request. Batch i of epoch e is a
/// pure function of (seed, e, i), so a restarted loader or a resumed trial sees the same batches.
/// Holds indices only: the dataset itself is shared and never copied.
/// Supervision (by TrialRunner): Restart — all state is derived from the seed and the epoch.
/// </summary>
public sealed class DataLoader : ReceiveActor
{
    private readonly ImmutableArray<int> _indices;
    private readonly int _batchSize;
    private readonly int _seed;
    private readonly int? _stepsPerEpoch;
    private int _epoch = -1;
    private int[] _order = [];

    public static Props Props(ImmutableArray<int> indices, int batchSize, int seed, int? stepsPerEpoch) =>
        Akka.Actor.Props.Create(() => new DataLoader(indices, batchSize, seed, stepsPerEpoch));

    public DataLoader(ImmutableArray<int> indices, int batchSize, int seed, int? stepsPerEpoch)
    {
        _indices = indices;
        _batchSize = Math.Max(1, batchSize);
        _seed = seed;
        _stepsPerEpoch = stepsPerEpoch;
        Serving();
    }

    private void Serving()
    {
        Receive<DataLoaderProtocol.NextBatch>(request =>
        {
            if (request.Epoch != _epoch) ShuffleFor(request.Epoch);
            var start = (long)request.Index * _batchSize;
            var exhausted = request.Index < 0 || start >= _order.Length || (_stepsPerEpoch is { } cap && request.Index >= cap);
            if (exhausted)
            {
                Sender.Tell(new DataLoaderProtocol.EpochExhausted(request.Epoch, request.Index));
                return;
            }
            var size = (int)Math.Min(_batchSize, _order.Length - start);
            Sender.Tell(new DataLoaderProtocol.Batch(request.Epoch, request.Index, _order.AsSpan((int)start, size).ToArray()));
        });
    }

    private void ShuffleFor(int epoch)
    {
        _epoch = epoch;
        _order = EpochOrder(_indices, _seed, epoch);
    }

    /// <summary>The order of a fold's training indices in an epoch: what batches 0, 1, … of that epoch are cut from.</summary>
    public static int[] EpochOrder(IReadOnlyList<int> indices, int seed, int epoch)
    {
        var order = indices.ToArray();
        // Not HashCode.Combine: it is salted per process, and a resumed trial must see the same batches.
        new Random(unchecked(seed * 1_000_003 + epoch * 7_919) & int.MaxValue).Shuffle(order);
        return order;
    }
}
