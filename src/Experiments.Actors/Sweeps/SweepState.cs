using Experiments.Core.Scheduling;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// A sweep's durable state, rebuilt from its events: the spec, the <see cref="SweepRecord"/> of
/// trial-folds started, their epochs and outcomes, and how the sweep ended. No actors, no I/O.
/// </summary>
public sealed class SweepState
{
    public SweepRecord Record { get; } = new();
    /// <summary>The spec with the JSON text it was journalled as.</summary>
    public SpecText? SpecText { get; private set; }
    public SweepSpec? Spec => SpecText?.Spec;
    public string? SpecJson => SpecText?.Json;
    public SweepEvents.SweepEnded? Ended { get; private set; }
    /// <summary>Each trial-fold's latest hand-over to a node (informational: the scheduler never reads it, so it lives here, not in the record).</summary>
    public IReadOnlyDictionary<TrialKey, SweepEvents.TrialAssigned> Assignments => _assignments;
    private readonly Dictionary<TrialKey, SweepEvents.TrialAssigned> _assignments = new();
    public IReadOnlyDictionary<TrialKey, TrialOutcome> Outcomes => Record.Outcomes;
    public int EventsSinceSnapshot { get; set; }

    /// <summary>A new sweep's start, with the spec it was opened with: its text is what was journalled, so nothing is parsed back.</summary>
    public void Start(SpecText spec) => SpecText = spec;

    public void Apply(ISweepEvent e)
    {
        switch (e)
        {
            case SweepEvents.SweepStarted started:
                SpecText = Sweeps.SpecText.Read(started.SpecJson);
                break;
            case SweepEvents.TrialStarted started:
                Record.Start(started.Key());
                break;
            case SweepEvents.TrialAssigned assigned:
                _assignments[assigned.Key()] = assigned;
                break;
            case SweepEvents.EpochRecorded recorded:
                Record.Epoch(recorded.Key(), recorded.ToMetrics());
                break;
            case SweepEvents.TrialEnded ended:
                Record.End(ended.ToOutcome());
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
    public IReadOnlyList<double> History(TrialKey key, string metric) => Record.History(key, metric);

    public EpochMetrics? LastEpoch(TrialKey key) => Record.LastEpoch(key);

    /// <summary>The node a trial-fold was last handed to; null if never (journalled before the event existed).</summary>
    public string? NodeOf(TrialKey key) => _assignments.GetValueOrDefault(key)?.Node;

    /// <summary>Started but not ended: interrupted by a crash or a restart; they resume first.</summary>
    public IEnumerable<TrialKey> Interrupted => Record.Interrupted;

    public System.Collections.Immutable.ImmutableArray<LeaderboardRow> Leaderboard(IEnumerable<Core.Search.TrialConfig> configs) =>
        Core.Trials.Leaderboard.Build(configs, Outcomes.Values, Spec!.CrossValidation.Folds, Spec.EarlyStopping.Mode);

    public SweepEvents.SweepSnapshot ToSnapshot()
    {
        var events = new List<ISweepEvent> { new SweepEvents.SweepStarted(SpecJson!) };
        events.AddRange(Record.Started.Select(k => new SweepEvents.TrialStarted(k.ConfigId, k.Fold)));
        events.AddRange(_assignments.Values);
        events.AddRange(Record.TrialsWithHistory.SelectMany(key => Record.Epochs(key).Select(m => m.ToEvent(key))));
        events.AddRange(Outcomes.Values.Select(o => o.ToEvent()));
        if (Ended is not null) events.Add(Ended);
        return new SweepEvents.SweepSnapshot(events);
    }
}
