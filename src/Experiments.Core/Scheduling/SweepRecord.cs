using Experiments.Core.Trials;

namespace Experiments.Core.Scheduling;

/// <summary>
/// The facts of a sweep so far, as journalled: which trial-folds were started, every epoch they
/// reported and how they ended. A plain fold of facts, no decisions: <see cref="SweepScheduler"/>
/// decides from it, the leaderboard ranks from it.
/// </summary>
public sealed class SweepRecord
{
    private readonly Dictionary<TrialKey, List<EpochMetrics>> _epochs = new();
    private readonly Dictionary<TrialKey, TrialOutcome> _outcomes = new();
    private readonly HashSet<TrialKey> _started = new();

    public IReadOnlyDictionary<TrialKey, TrialOutcome> Outcomes => _outcomes;
    public IReadOnlyCollection<TrialKey> Started => _started;
    public IEnumerable<TrialKey> TrialsWithHistory => _epochs.Keys;

    public void Start(TrialKey key) => _started.Add(key);

    public void Epoch(TrialKey key, EpochMetrics metrics)
    {
        var history = _epochs.TryGetValue(key, out var h) ? h : _epochs[key] = new List<EpochMetrics>();
        // A resumed trial redoes the epochs after its checkpoint: the newer report replaces the older.
        history.RemoveAll(m => m.Epoch >= metrics.Epoch);
        history.Add(metrics);
    }

    public void End(TrialOutcome outcome) => _outcomes[outcome.Key] = outcome;

    /// <summary>Every epoch a trial-fold reported, in order.</summary>
    public IReadOnlyList<EpochMetrics> Epochs(TrialKey key) => _epochs.TryGetValue(key, out var h) ? h : [];

    /// <summary>The metric's values of a trial-fold, epoch by epoch.</summary>
    public IReadOnlyList<double> History(TrialKey key, string metric) =>
        Epochs(key).Select(m => m.Get(metric)).OfType<double>().ToList();

    public EpochMetrics? LastEpoch(TrialKey key) => Epochs(key) is { Count: > 0 } h ? h[^1] : null;

    public TrialOutcome? OutcomeOf(TrialKey key) => _outcomes.GetValueOrDefault(key);

    /// <summary>Started but not ended: interrupted by a crash or a restart.</summary>
    public IEnumerable<TrialKey> Interrupted => _started.Where(k => !_outcomes.ContainsKey(k));
}
