using System.Collections.Immutable;
using Akka.Actor;

namespace Experiments.Actors.Trials;

public static class DataLoaderProtocol
{
    /// <summary>Pull: the trainer asks for the next batch of an epoch.</summary>
    public sealed record NextBatch(int Epoch);
    public sealed record Batch(int Epoch, int[] Indices);
    public sealed record EpochExhausted(int Epoch);
}

/// <summary>
/// Serves shuffled batches of a fold's training indices on request. The order of epoch e is a
/// pure function of (seed, e), so a restarted loader or a resumed trial sees the same batches.
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
    private int _position;
    private int _served;

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
            if (request.Epoch != _epoch) StartEpoch(request.Epoch);
            var exhausted = _position >= _order.Length || (_stepsPerEpoch is { } cap && _served >= cap);
            if (exhausted)
            {
                Sender.Tell(new DataLoaderProtocol.EpochExhausted(request.Epoch));
                return;
            }
            var size = Math.Min(_batchSize, _order.Length - _position);
            Sender.Tell(new DataLoaderProtocol.Batch(request.Epoch, _order.AsSpan(_position, size).ToArray()));
            _position += size;
            _served++;
        });
    }

    private void StartEpoch(int epoch)
    {
        _epoch = epoch;
        _order = _indices.ToArray();
        new Random(HashCode.Combine(_seed, epoch) & int.MaxValue).Shuffle(_order);
        _position = 0;
        _served = 0;
    }
}
