using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// What a sweep journals. Plain records of primitives (the journal stores them as JSON), each a
/// fact that has happened; <see cref="SweepState"/> is their fold.
/// </summary>
public interface ISweepEvent;

public static class SweepEvents
{
    public sealed record SweepStarted(string SpecJson) : ISweepEvent;
    public sealed record TrialStarted(int ConfigId, int Fold) : ISweepEvent;
    public sealed record EpochRecorded(int ConfigId, int Fold, int Epoch, Dictionary<string, double> Metrics, double Seconds) : ISweepEvent;
    public sealed record TrialEnded(int ConfigId, int Fold, TrialStatus Status, int EpochsRun, double? BestMetric, int? BestEpoch, string Reason) : ISweepEvent;
    public sealed record SweepEnded(string State, double? TestScore, Dictionary<string, double>? TestMetrics) : ISweepEvent;

    /// <summary>A snapshot is the compacted event list: recovery applies it like the events it replaces.</summary>
    public sealed record SweepSnapshot(List<ISweepEvent> Events) : ISweepEvent;
}

/// <summary>
/// A sweep's durable state, rebuilt from its events: the spec, every trial-fold's outcome and
/// metric history, which trial-folds were started, and how the sweep ended. No actors, no I/O.
/// </summary>
public sealed class SweepState
{
    private readonly Dictionary<TrialKey, List<EpochMetrics>> _epochs = new();
    private readonly Dictionary<TrialKey, TrialOutcome> _outcomes = new();
    private readonly HashSet<TrialKey> _started = new();

    public SweepSpec? Spec { get; private set; }
    public string? SpecJson { get; private set; }
    public SweepEvents.SweepEnded? Ended { get; private set; }
    public IReadOnlyDictionary<TrialKey, TrialOutcome> Outcomes => _outcomes;
    public int EventsSinceSnapshot { get; set; }

    public void Apply(ISweepEvent e)
    {
        switch (e)
        {
            case SweepEvents.SweepStarted started:
                SpecJson = started.SpecJson;
                Spec = Sweeps.SpecJson.Deserialize(started.SpecJson);
                break;
            case SweepEvents.TrialStarted started:
                _started.Add(new TrialKey(started.ConfigId, started.Fold));
                break;
            case SweepEvents.EpochRecorded recorded:
                var key = new TrialKey(recorded.ConfigId, recorded.Fold);
                var history = _epochs.TryGetValue(key, out var h) ? h : _epochs[key] = new List<EpochMetrics>();
                // A resumed trial redoes the epochs after its checkpoint: the newer report replaces the older.
                history.RemoveAll(m => m.Epoch >= recorded.Epoch);
                history.Add(new EpochMetrics(recorded.Epoch, recorded.Metrics.ToImmutableSortedDictionary(), recorded.Seconds));
                break;
            case SweepEvents.TrialEnded ended:
                _outcomes[new TrialKey(ended.ConfigId, ended.Fold)] = new TrialOutcome(new TrialKey(ended.ConfigId, ended.Fold),
                    ended.Status, ended.EpochsRun, ended.BestMetric, ended.BestEpoch, ended.Reason);
                break;
            case SweepEvents.SweepEnded ended:
                Ended = ended;
                break;
            case SweepEvents.SweepSnapshot snapshot:
                foreach (var inner in snapshot.Events) Apply(inner);
                break;
        }
    }

    /// <summary>The metric's values of a trial-fold, epoch by epoch.</summary>
    public IReadOnlyList<double> History(TrialKey key, string metric) =>
        _epochs.TryGetValue(key, out var h) ? h.Select(m => m.Get(metric)).OfType<double>().ToList() : [];

    public EpochMetrics? LastEpoch(TrialKey key) => _epochs.TryGetValue(key, out var h) && h.Count > 0 ? h[^1] : null;

    public IEnumerable<TrialKey> TrialsWithHistory => _epochs.Keys;

    /// <summary>Started but not ended: interrupted by a crash or a restart; they resume first.</summary>
    public IEnumerable<TrialKey> Interrupted => _started.Where(k => !_outcomes.ContainsKey(k));

    public ImmutableArray<LeaderboardRow> Leaderboard(IEnumerable<TrialConfig> configs) =>
        Core.Trials.Leaderboard.Build(configs, _outcomes.Values, Spec!.CrossValidation.Folds, Spec.EarlyStopping.Mode);

    public SweepEvents.SweepSnapshot ToSnapshot()
    {
        var events = new List<ISweepEvent> { new SweepEvents.SweepStarted(SpecJson!) };
        events.AddRange(_started.Select(k => new SweepEvents.TrialStarted(k.ConfigId, k.Fold)));
        events.AddRange(_epochs.SelectMany(kv => kv.Value.Select(m =>
            new SweepEvents.EpochRecorded(kv.Key.ConfigId, kv.Key.Fold, m.Epoch, m.Values.ToDictionary(), m.Seconds))));
        events.AddRange(_outcomes.Values.Select(o =>
            new SweepEvents.TrialEnded(o.Key.ConfigId, o.Key.Fold, o.Status, o.EpochsRun, o.BestMetric, o.BestEpoch, o.Reason)));
        if (Ended is not null) events.Add(Ended);
        return new SweepEvents.SweepSnapshot(events);
    }
}
