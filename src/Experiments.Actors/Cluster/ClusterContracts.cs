using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Akka.Actor;
using Experiments.Actors.Serialization;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// The cluster's wire format: one manifest per message, plain contracts with kebab-case fields,
/// read by the manifest only (the same rules as the journal's <see cref="JournalContracts"/>).
/// A peer's bytes can only ever become one of these types.
/// </summary>
public static class ClusterContracts
{
    public static readonly ContractTable Table = new ContractTable("cluster")
        .Add<Hello, HelloV1>("hello/1", m => new(m.Node, m.Slots), c => new(c.Node, c.Slots))
        .Add<Challenge, ChallengeV1>("challenge/1", m => new(m.Nonce), c => new(c.Nonce))
        .Add<Register, RegisterV1>("register/1", m => new(m.Node, m.Slots, m.Proof), c => new(c.Node, c.Slots, c.Proof))
        .Add<Welcome, WelcomeV1>("welcome/1", m => new(m.Coordinator), c => new(c.Coordinator))
        .Add<Refused, RefusedV1>("refused/1", m => new(m.Reason), c => new(c.Reason))
        .Add<RequestWork, RequestWorkV1>("request-work/1", m => new(m.Node, m.Slot), c => new(c.Node, c.Slot))
        .Add<WorkOffered, WorkOfferedV1>("work-offered/1", ToContract, FromContract)
        .Add<StartWork, WorkIdV1>("start-work/1", m => new(m.WorkId), c => new(c.Work))
        .AddBinary<FileChunk>("file-chunk/2", FileChunkV2.Write, FileChunkV2.Read)
        .AddReadOnly<FileChunk, FileChunkV1>("file-chunk/1", c => new(c.Work, c.File, c.Index, c.Count, c.Bytes))
        .Add<ChunkAck, ChunkAckV1>("chunk-ack/1", m => new(m.WorkId, m.File, m.Index), c => new(c.Work, c.File, c.Index))
        .Add<FileCopy, FileCopyV1>("file-copy/1", m => new(m.WorkId, m.File, m.SameAs), c => new(c.Work, c.File, c.SameAs))
        .Add<FetchData, FetchDataV1>("fetch-data/1", m => new(m.Sha256), c => new(c.Sha256))
        .Add<FetchRefused, FetchRefusedV1>("fetch-refused/1", m => new(m.Sha256, m.Reason), c => new(c.Sha256, c.Reason))
        .Add<EpochDone, EpochDoneV1>("epoch-done/1", m => new(m.WorkId, EpochV1.Of(m.Metrics)), c => new(c.Work, c.Epoch.ToMetrics()))
        .Add<Decision, DecisionV1>("decision/1",
            m => new(m.WorkId, m.StopWith is { } s ? StatusNames.Write(s) : null, m.Reason),
            c => new(c.Work, c.StopWith is { } s ? StatusNames.Read(s) : null, c.Reason))
        .Add<WorkEnded, WorkEndedV1>("work-ended/1",
            m => new(m.WorkId, m.Outcome.Key.ConfigId, m.Outcome.Key.Fold, StatusNames.Write(m.Outcome.Status), m.Outcome.EpochsRun,
                m.Outcome.BestMetric, m.Outcome.BestEpoch, m.Outcome.Reason),
            c => new(c.Work, new TrialOutcome(new TrialKey(c.Config, c.Fold), StatusNames.Read(c.Status), c.EpochsRun, c.BestMetric, c.BestEpoch, c.Reason)));

    public sealed record HelloV1([property: JsonPropertyName("node")] string Node, [property: JsonPropertyName("slots")] int Slots);
    public sealed record ChallengeV1([property: JsonPropertyName("nonce")] string Nonce);
    public sealed record RegisterV1(
        [property: JsonPropertyName("node")] string Node, [property: JsonPropertyName("slots")] int Slots, [property: JsonPropertyName("proof")] string Proof);
    public sealed record WelcomeV1([property: JsonPropertyName("coordinator")] string Coordinator);
    public sealed record RefusedV1([property: JsonPropertyName("reason")] string Reason);
    public sealed record RequestWorkV1([property: JsonPropertyName("node")] string Node, [property: JsonPropertyName("slot")] int Slot);
    public sealed record WorkIdV1([property: JsonPropertyName("work")] string Work);

    public sealed record WorkOfferedV1(
        [property: JsonPropertyName("work")] string Work,
        [property: JsonPropertyName("spec")] string Spec,
        [property: JsonPropertyName("config")] int Config,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("numbers")] Dictionary<string, double> Numbers,
        [property: JsonPropertyName("words")] Dictionary<string, string> Words,
        [property: JsonPropertyName("seed")] int Seed,
        [property: JsonPropertyName("max-epochs")] int MaxEpochs,
        [property: JsonPropertyName("history")] List<EpochV1> History,
        [property: JsonPropertyName("data")] List<DataFileV1>? Data = null);

    /// <summary>An IDX file of the spec: optional in work-offered/1 (absent for the default digits).</summary>
    public sealed record DataFileV1(
        [property: JsonPropertyName("path")] string Path, [property: JsonPropertyName("sha256")] string Sha256, [property: JsonPropertyName("size")] long Size);

    public sealed record FileCopyV1(
        [property: JsonPropertyName("work")] string Work, [property: JsonPropertyName("file")] string File, [property: JsonPropertyName("same-as")] string SameAs);

    public sealed record FetchDataV1([property: JsonPropertyName("sha256")] string Sha256);
    public sealed record FetchRefusedV1([property: JsonPropertyName("sha256")] string Sha256, [property: JsonPropertyName("reason")] string Reason);

    public sealed record EpochV1(
        [property: JsonPropertyName("epoch")] int Epoch,
        [property: JsonPropertyName("metrics")] Dictionary<string, double> Metrics,
        [property: JsonPropertyName("seconds")] double Seconds)
    {
        public static EpochV1 Of(EpochMetrics m) => new(m.Epoch, m.Values.ToDictionary(), m.Seconds);
        public EpochMetrics ToMetrics() => new(Epoch, Metrics.ToImmutableSortedDictionary(StringComparer.Ordinal), Seconds);
    }

    public sealed record FileChunkV1(
        [property: JsonPropertyName("work")] string Work,
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("index")] int Index,
        [property: JsonPropertyName("count")] int Count,
        [property: JsonPropertyName("bytes")] byte[] Bytes);

    /// <summary>
    /// file-chunk/2: work and file (BinaryWriter strings: length-prefixed UTF-8), index, count and the
    /// byte count (little-endian int32), then the bytes themselves, nothing after them.
    /// </summary>
    public static class FileChunkV2
    {
        public static byte[] Write(FileChunk m)
        {
            var buffer = new MemoryStream(m.Bytes.Length + m.WorkId.Length + m.File.Length + 32);
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(m.WorkId);
                writer.Write(m.File);
                writer.Write(m.Index);
                writer.Write(m.Count);
                writer.Write(m.Bytes.Length);
                writer.Write(m.Bytes);
            }
            return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        }

        public static FileChunk Read(byte[] bytes)
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), System.Text.Encoding.UTF8);
            var work = reader.ReadString();
            var file = reader.ReadString();
            var index = reader.ReadInt32();
            var count = reader.ReadInt32();
            var length = reader.ReadInt32();
            var left = bytes.Length - reader.BaseStream.Position;
            if (index < 0 || count < 1 || index >= count || length < 0 || length != left)
                throw new FormatException($"chunk {index} of {count} with {length} bytes announced and {left} present");
            return new FileChunk(work, file, index, count, reader.ReadBytes(length));
        }
    }

    public sealed record ChunkAckV1(
        [property: JsonPropertyName("work")] string Work, [property: JsonPropertyName("file")] string File, [property: JsonPropertyName("index")] int Index);

    public sealed record EpochDoneV1([property: JsonPropertyName("work")] string Work, [property: JsonPropertyName("epoch")] EpochV1 Epoch);

    public sealed record DecisionV1(
        [property: JsonPropertyName("work")] string Work, [property: JsonPropertyName("stop-with")] string? StopWith, [property: JsonPropertyName("reason")] string Reason);

    public sealed record WorkEndedV1(
        [property: JsonPropertyName("work")] string Work,
        [property: JsonPropertyName("config")] int Config,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("epochs-run")] int EpochsRun,
        [property: JsonPropertyName("best-metric")] double? BestMetric,
        [property: JsonPropertyName("best-epoch")] int? BestEpoch,
        [property: JsonPropertyName("reason")] string Reason);

    private static WorkOfferedV1 ToContract(WorkOffered m) => new(m.WorkId, m.SpecJson, m.Key.ConfigId, m.Key.Fold,
        m.Parameters.Values.Where(kv => kv.Value.IsNumber).ToDictionary(kv => kv.Key, kv => kv.Value.AsDouble()),
        m.Parameters.Values.Where(kv => !kv.Value.IsNumber).ToDictionary(kv => kv.Key, kv => kv.Value.AsString()),
        m.Seed, m.MaxEpochs, m.History.Select(EpochV1.Of).ToList(),
        m.Data.IsDefaultOrEmpty ? null : m.Data.Select(d => new DataFileV1(d.Path, d.Sha256, d.Size)).ToList());

    private static WorkOffered FromContract(WorkOfferedV1 c)
    {
        var values = c.Numbers.Select(kv => KeyValuePair.Create(kv.Key, ParamValue.Of(kv.Value)))
            .Concat(c.Words.Select(kv => KeyValuePair.Create(kv.Key, ParamValue.Of(kv.Value))));
        var parameters = new ParameterSet(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, values));
        return new(c.Work, c.Spec, new TrialKey(c.Config, c.Fold), parameters, c.Seed, c.MaxEpochs, [.. c.History.Select(h => h.ToMetrics())])
        {
            Data = c.Data is null ? [] : [.. c.Data.Select(d => new DataFile(d.Path, d.Sha256, d.Size))],
        };
    }
}

/// <summary>Every <see cref="IClusterMessage"/> on the wire (<see cref="ClusterContracts"/>).</summary>
public sealed class ClusterSerializer(ExtendedActorSystem system) : ContractSerializer(system, ClusterContracts.Table)
{
    /// <summary>Fixed: peers of the same version agree on it (Akka reserves 0–100; the journal has 5101).</summary>
    public const int Id = 5102;

    public override int Identifier => Id;
}
