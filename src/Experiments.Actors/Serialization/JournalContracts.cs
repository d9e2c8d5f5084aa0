using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Experiments.Actors.Sweeps;
using Experiments.Core.Trials;

namespace Experiments.Actors.Serialization;

/// <summary>
/// The journal's wire format, version by version: the one place that lists manifest ↔ type.
/// To change a journalled type: add a contract with the next version ("trial-ended/2") as the
/// written form, and keep the old one as a read-only entry that converts; never change a contract
/// that has been released (Fixtures/ in the host tests hold journals of every version).
/// </summary>
public static class JournalContracts
{
    public static readonly ContractTable Table = new ContractTable("journal")
        .Add<SweepEvents.SweepStarted, SweepStartedV1>("sweep-started/1", e => new(e.SpecJson), c => new(c.Spec))
        .Add<SweepEvents.TrialStarted, TrialStartedV1>("trial-started/1", e => new(e.ConfigId, e.Fold), c => new(c.Config, c.Fold))
        .Add<SweepEvents.TrialAssigned, TrialAssignedV1>("trial-assigned/1",
            e => new(e.ConfigId, e.Fold, e.Node, e.ResumesAfter), c => new(c.Config, c.Fold, c.Node, c.ResumesAfterEpoch))
        .Add<SweepEvents.EpochRecorded, EpochRecordedV1>("epoch-recorded/1",
            e => new(e.ConfigId, e.Fold, e.Epoch, e.Metrics, e.Seconds), c => new(c.Config, c.Fold, c.Epoch, c.Metrics, c.Seconds))
        .Add<SweepEvents.TrialEnded, TrialEndedV1>("trial-ended/1",
            e => new(e.ConfigId, e.Fold, StatusNames.Write(e.Status), e.EpochsRun, e.BestMetric, e.BestEpoch, e.Reason),
            c => new(c.Config, c.Fold, StatusNames.Read(c.Status), c.EpochsRun, c.BestMetric, c.BestEpoch, c.Reason))
        .Add<SweepEvents.SweepEnded, SweepEndedV1>("sweep-ended/1",
            e => new(e.State, e.TestScore, e.TestMetrics), c => new(c.State, c.TestScore, c.TestMetrics))
        .Add<SweepEvents.SweepSnapshot, SweepSnapshotV1>("sweep-snapshot/1", ToSnapshotContract, FromSnapshotContract)
        .Add<SweepManagerEvents.SweepOpened, SweepOpenedV2>("sweep-opened/2", e => new(e.Name, e.PersistenceId, e.SpecJson), c => new(c.Name, c.PersistenceId, c.Spec))
        .AddReadOnly<SweepManagerEvents.SweepOpened, SweepOpenedV1>("sweep-opened/1", c => new(c.Name, c.PersistenceId))
        .Add<SweepManagerEvents.SweepClosed, SweepClosedV1>("sweep-closed/1", e => new(e.Name), c => new(c.Name))
        .Add<SweepManagerEvents.LegacySweepsAdopted, LegacySweepsAdoptedV1>("legacy-sweeps-adopted/1", e => new(e.From), c => new(c.From))
        .Add<SweepManagerEvents.LegacySweepsHandedOver, LegacySweepsHandedOverV1>("legacy-sweeps-handed-over/1", e => new(e.HostId), c => new(c.HostId));

    public sealed record SweepStartedV1([property: JsonPropertyName("spec")] string Spec);

    public sealed record TrialStartedV1([property: JsonPropertyName("config")] int Config, [property: JsonPropertyName("fold")] int Fold);

    /// <summary>Since journal format 2: which node a trial-fold was handed to, and the epoch of the checkpoint it resumes from (null: from the start).</summary>
    public sealed record TrialAssignedV1(
        [property: JsonPropertyName("config")] int Config,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("node")] string Node,
        [property: JsonPropertyName("resumes-after-epoch")] int? ResumesAfterEpoch);

    public sealed record EpochRecordedV1(
        [property: JsonPropertyName("config")] int Config,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("epoch")] int Epoch,
        [property: JsonPropertyName("metrics")] Dictionary<string, double> Metrics,
        [property: JsonPropertyName("seconds")] double Seconds);

    public sealed record TrialEndedV1(
        [property: JsonPropertyName("config")] int Config,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("epochs-run")] int EpochsRun,
        [property: JsonPropertyName("best-metric")] double? BestMetric,
        [property: JsonPropertyName("best-epoch")] int? BestEpoch,
        [property: JsonPropertyName("reason")] string Reason);

    public sealed record SweepEndedV1(
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("test-score")] double? TestScore,
        [property: JsonPropertyName("test-metrics")] Dictionary<string, double>? TestMetrics);

    /// <summary>The compacted event list, each event under its own manifest (events only: no nested snapshots).</summary>
    public sealed record SweepSnapshotV1([property: JsonPropertyName("events")] List<TaggedEventV1> Events);

    public sealed record TaggedEventV1([property: JsonPropertyName("manifest")] string Manifest, [property: JsonPropertyName("event")] JsonElement Event);

    public sealed record SweepOpenedV1([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("persistence-id")] string PersistenceId);

    /// <summary>/2 adds the resolved spec (null for sweeps adopted from a journal that had none).</summary>
    public sealed record SweepOpenedV2(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("persistence-id")] string PersistenceId,
        [property: JsonPropertyName("spec")] string? Spec);

    public sealed record SweepClosedV1([property: JsonPropertyName("name")] string Name);

    public sealed record LegacySweepsAdoptedV1([property: JsonPropertyName("from")] string From);

    public sealed record LegacySweepsHandedOverV1([property: JsonPropertyName("host-id")] string HostId);

    private static SweepSnapshotV1 ToSnapshotContract(SweepEvents.SweepSnapshot snapshot) =>
        new(snapshot.Events.Select(e => e is SweepEvents.SweepSnapshot
                ? throw new SerializationException("journal: a snapshot cannot hold a snapshot")
                : new TaggedEventV1(Table.ManifestOf(e), JsonSerializer.Deserialize<JsonElement>(Table.Write(e)))).ToList());

    private static SweepEvents.SweepSnapshot FromSnapshotContract(SweepSnapshotV1 contract) =>
        new(contract.Events.Select(tagged => Table.Read(tagged.Manifest, JsonSerializer.SerializeToUtf8Bytes(tagged.Event)) switch
        {
            SweepEvents.SweepSnapshot => throw new SerializationException("journal: a snapshot cannot hold a snapshot"),
            ISweepEvent e => e,
            var other => throw new SerializationException($"journal: a snapshot holds a '{tagged.Manifest}', which is not a sweep event"),
        }).ToList());
}

/// <summary>Trial statuses as the journal spells them: fixed words, independent of the enum's member names and values.</summary>
public static class StatusNames
{
    public static readonly ImmutableDictionary<TrialStatus, string> Names = new Dictionary<TrialStatus, string>
    {
        [TrialStatus.Pending] = "pending",
        [TrialStatus.Running] = "running",
        [TrialStatus.Completed] = "completed",
        [TrialStatus.EarlyStopped] = "early-stopped",
        [TrialStatus.Pruned] = "pruned",
        [TrialStatus.Failed] = "failed",
        [TrialStatus.Diverged] = "diverged",
        [TrialStatus.Cancelled] = "cancelled",
    }.ToImmutableDictionary();

    private static readonly ImmutableDictionary<string, TrialStatus> Statuses = Names.ToImmutableDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static string Write(TrialStatus status) =>
        Names.TryGetValue(status, out var name) ? name : throw new SerializationException($"journal: trial status {status} has no journal name");

    public static TrialStatus Read(string name) =>
        Statuses.TryGetValue(name, out var status)
            ? status
            : throw new SerializationException($"journal: unknown trial status '{name}' (known: {string.Join(", ", Statuses.Keys.Order(StringComparer.Ordinal))})");
}
