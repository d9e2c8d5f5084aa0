using System.Collections.Immutable;
using Akka.Actor;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Cluster;

/// <summary>Every message that crosses between nodes: bound to <see cref="ClusterSerializer"/> (explicit contracts, no CLR type names).</summary>
public interface IClusterMessage;

/// <summary>
/// What the coordinator's WorkQueue, its RemoteTrial proxies and the workers' slots say to each
/// other. Work is pulled: a free slot asks, the queue hands it the oldest waiting trial-fold, and
/// from then on the slot talks to that trial-fold's proxy directly.
/// </summary>
public static class ClusterProtocol
{
    /// <summary>The queue's path on the coordinator (workers find it by selection).</summary>
    public const string QueueName = "work-queue";

    // The join handshake: a worker gets work only once it has proved it knows the shared secret.
    public sealed record Hello(string Node, int Slots) : IClusterMessage;
    public sealed record Challenge(string Nonce) : IClusterMessage;
    public sealed record Register(string Node, int Slots, string Proof) : IClusterMessage;
    public sealed record Welcome(string Coordinator) : IClusterMessage;
    public sealed record Refused(string Reason) : IClusterMessage;

    /// <summary>A free slot asks for the next trial-fold.</summary>
    public sealed record RequestWork(string Node, int Slot) : IClusterMessage;

    /// <summary>
    /// A trial-fold for a slot: the sweep's spec (the slot loads the data and splits it itself, as
    /// the coordinator does), the launch, the epochs already journalled, and the spec's own IDX
    /// files as the coordinator found them (empty for the default digits). Files (a checkpoint to
    /// resume from) follow as chunks, then <see cref="StartWork"/>.
    /// </summary>
    public sealed record WorkOffered(
        string WorkId, string SpecJson, TrialKey Key, ParameterSet Parameters, int Seed, int MaxEpochs,
        ImmutableArray<EpochMetrics> History) : IClusterMessage
    {
        public ImmutableArray<DataFile> Data { get; init; } = [];
    }

    /// <summary>An IDX file the coordinator loaded for a sweep: its path there, its SHA-256 (hex) and size.</summary>
    public sealed record DataFile(string Path, string Sha256, long Size);

    public sealed record StartWork(string WorkId) : IClusterMessage;

    /// <summary>
    /// Part <see cref="Index"/> of <see cref="Count"/> of a file, either way: a trial file (checkpoint,
    /// sample grid, event file) under a work id, or an IDX file under "data-SHA256"; each is acknowledged.
    /// </summary>
    public sealed record FileChunk(string WorkId, string File, int Index, int Count, byte[] Bytes) : IClusterMessage;
    public sealed record ChunkAck(string WorkId, string File, int Index) : IClusterMessage;

    /// <summary>In place of chunks: <see cref="File"/> has the bytes of <see cref="SameAs"/>, sent just before (best.ckpt of the epoch that was also last.ckpt). Acknowledged like a chunk.</summary>
    public sealed record FileCopy(string WorkId, string File, string SameAs) : IClusterMessage;

    /// <summary>A worker asks the coordinator's queue for an IDX file of a <see cref="WorkOffered"/>, by hash only (never by path).</summary>
    public sealed record FetchData(string Sha256) : IClusterMessage;
    public sealed record FetchRefused(string Sha256, string Reason) : IClusterMessage;

    /// <summary>The transfer id of an IDX file's chunks.</summary>
    public static string DataTransfer(string sha256) => "data-" + sha256;

    public sealed record EpochDone(string WorkId, EpochMetrics Metrics) : IClusterMessage;

    /// <summary>The sweep's decision after an epoch: continue, or stop with a status.</summary>
    public sealed record Decision(string WorkId, TrialStatus? StopWith, string Reason) : IClusterMessage;

    public sealed record WorkEnded(string WorkId, TrialOutcome Outcome) : IClusterMessage;

    // Inside the coordinator only (never on the wire).
    /// <summary>A RemoteTrial asks what its sweep's own IDX files are (hashed once; from then on served by hash).</summary>
    public sealed record DescribeData(DatasetSpec Dataset);
    public sealed record DataDescribed(ImmutableArray<DataFile> Files, string? Problem);
    public sealed record Enqueue(string Sweep, TrialKey Key);
    public sealed record Assigned(IActorRef Slot, string Node);
    /// <summary>From a RemoteTrial to its sweep: a slot on <paramref name="Node"/> took it, with the checkpoint of epoch <paramref name="ResumesAfter"/> (null: none). Journalled as TrialAssigned.</summary>
    public sealed record PlacedOn(TrialKey Key, string Node, int? ResumesAfter);
    /// <summary>From a RemoteTrial to its sweep: its node was lost and it waits in the queue again (not journalled: the views show no node meanwhile).</summary>
    public sealed record BackInQueue(TrialKey Key);
    public sealed record GetWorkers;
    public sealed record WorkerList(ImmutableArray<WorkerView> Workers);
    public sealed record WorkerView(string Node, int Slots, bool Local, ImmutableArray<RunningView> Running);
    public sealed record RunningView(string Sweep, int Trial, int Fold);
}
