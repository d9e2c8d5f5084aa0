using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Core.Scheduling;

/// <summary>
/// A sweep's decisions, pure (no actors, no I/O): which trial-folds run next, what a trial-fold is
/// told after each epoch, what the search is asked and told, and the final retrain. It decides from
/// the <see cref="SweepRecord"/> of journalled facts, which its owner updates before calling
/// <see cref="AfterEpoch"/> and <see cref="AfterEnd"/>; what is running is its own (not durable) state.
/// Built on a replayed record, it re-asks the search the configs the journal started, in order,
/// telling it the same results at the same points: recovery rebuilds the same search state.
/// Order of launches: the lowest config with a fold to run first (a restarted sweep's interrupted
/// folds are exactly those), then a new config when the search may be asked, and only then a
/// further fold of a config already running, if no rule can prune that config.
/// </summary>
public sealed class SweepScheduler
{
    private readonly SweepSpec _spec;
    private readonly SweepRecord _record;
    private readonly SearchPacer _pacer;
    private readonly ConfigFolds _configs;
    private readonly PeerJudge _judge;
    private readonly HashSet<TrialKey> _running = new();
    private readonly Dictionary<TrialKey, int> _waiting = new();
    private readonly HashSet<int> _reported = new();
    private int _firstOpen;

    public SweepScheduler(SweepSpec spec, ISearchMethod search, SweepRecord record)
    {
        _spec = spec;
        _record = record;
        _pacer = new SearchPacer(search, spec.Search.MaxInFlight);
        _configs = new ConfigFolds(record, spec.CrossValidation.Folds);
        _judge = new PeerJudge(spec, record, _configs);
        Replay();
    }

    private int Folds => _spec.CrossValidation.Folds;

    /// <summary>The configs asked so far, config i at index i.</summary>
    public IReadOnlyList<TrialConfig> Configs => _pacer.Asked;

    /// <summary>Configs of the whole sweep: the search method's planned count.</summary>
    public int PlannedConfigs => _pacer.PlannedCount ?? _spec.Search.Samples;

    /// <summary>Trial-folds of the whole sweep: the planned configs × folds (the final retrain not counted).</summary>
    public int TotalTrialFolds => PlannedConfigs * Folds;

    /// <summary>Trial-folds that will not run again: ended, or skipped because their config was pruned.</summary>
    public int SettledTrialFolds =>
        _record.Outcomes.Keys.Count(k => !k.IsFinal) + Configs.Sum(c => _configs.Skipped(c.Id));

    public IReadOnlyCollection<TrialKey> Running => _running;

    /// <summary>Nothing running, nothing left to run or ask: time for the final retrain.</summary>
    public bool IsDone => _running.Count == 0 && _pacer.Exhausted && Configs.All(c => _configs.IsDone(c.Id));

    /// <summary>Up to <paramref name="freeSlots"/> trial-folds to start now; they count as running until <see cref="AfterEnd"/>.</summary>
    public IReadOnlyList<TrialLaunch> NextLaunches(int freeSlots)
    {
        var launches = new List<TrialLaunch>();
        while (launches.Count < freeSlots && NextLaunch() is { } launch)
        {
            _running.Add(launch.Key);
            launches.Add(launch);
        }
        return launches;
    }

    /// <summary>After the record has the trial-fold's latest epoch: Continue, Stop, Prune, or Wait (decided later by <see cref="Unblocked"/>).</summary>
    public EpochDecision AfterEpoch(TrialKey key)
    {
        var decision = _judge.Decide(key);
        if (decision.Verdict == Verdict.Wait) _waiting[key] = decision.Epoch;
        else _waiting.Remove(key);
        return decision;
    }

    /// <summary>After the record has a trial-fold's outcome: it no longer runs; decisions it was holding up.</summary>
    public IReadOnlyList<EpochDecision> AfterEnd(TrialKey key)
    {
        _running.Remove(key);
        _waiting.Remove(key);
        if (!key.IsFinal) ReportIfDone(key.ConfigId);
        return Unblocked();
    }

    /// <summary>The waiting trial-folds that can now be decided (after any new fact), lowest config first.</summary>
    public IReadOnlyList<EpochDecision> Unblocked()
    {
        var decided = new List<EpochDecision>();
        foreach (var key in _waiting.Keys.OrderBy(k => k.ConfigId).ToList())
        {
            var decision = _judge.Decide(key);
            if (decision.Verdict == Verdict.Wait) continue;
            _waiting.Remove(key);
            decided.Add(decision);
        }
        return decided;
    }

    public ImmutableArray<LeaderboardRow> Leaderboard() =>
        Trials.Leaderboard.Build(Configs, _record.Outcomes.Values, Folds, _spec.EarlyStopping.Mode);

    /// <summary>The top config with a result, if any.</summary>
    public TrialConfig? Best => Leaderboard().FirstOrDefault(r => r.Mean is not null)?.Config;

    /// <summary>
    /// The best config retrained on all folds, for the mean of its folds' best epochs when early
    /// stopping is on (else max-epochs); null when no config has a result or there is no test split to score it on.
    /// </summary>
    public TrialLaunch? FinalRetrain(bool hasTestSplit)
    {
        if (Best is not { } best || !hasTestSplit) return null;
        var bestEpochs = _record.Outcomes.Values.Where(o => o.Key.ConfigId == best.Id && !o.Key.IsFinal && o.BestEpoch is not null)
            .Select(o => o.BestEpoch!.Value).ToList();
        var epochs = _spec.EarlyStopping.Enabled && bestEpochs.Count > 0
            ? Math.Max(1, (int)Math.Round(bestEpochs.Average()))
            : _spec.Training.MaxEpochs;
        var key = new TrialKey(best.Id, TrialKey.FinalFold);
        _running.Add(key);
        return new TrialLaunch(key, best, TrialSeed(_spec.Search.Seed, key), epochs, _record.Started.Contains(key));
    }

    /// <summary>A seed per config and fold, derived from the sweep's seed: reruns are reproducible.</summary>
    public static int TrialSeed(int sweepSeed, TrialKey key) =>
        unchecked(sweepSeed * 7919 + key.ConfigId * 104729 + (key.Fold + 2) * 1299709) & int.MaxValue;

    private TrialLaunch? NextLaunch()
    {
        while (_firstOpen < Configs.Count && _configs.IsDone(_firstOpen)) _firstOpen++;
        for (var id = _firstOpen; id < Configs.Count; id++)
            if (!_running.Any(k => k.ConfigId == id) && _configs.NextFold(id) is { } fold)
                return Launch(Configs[id], fold);
        if (_pacer.Ask() is { } config) return Launch(config, 0);
        // Nothing else can start, so a slot would idle (a sweep's last configs, or an adaptive search
        // waiting for results): a config that no rule can prune runs its next fold beside the one
        // running. Its folds' results do not depend on their order, so nothing else changes.
        for (var id = _firstOpen; id < Configs.Count; id++)
            if (!_judge.CanPrune(id) && IdleFold(id) is { } fold)
                return Launch(Configs[id], fold);
        return null;
    }

    /// <summary>The config's first fold that has no outcome and is not running.</summary>
    private int? IdleFold(int configId) =>
        _configs.OpenFolds(configId).Where(f => !_running.Contains(new TrialKey(configId, f))).Select(f => (int?)f).FirstOrDefault();

    private TrialLaunch Launch(TrialConfig config, int fold)
    {
        var key = new TrialKey(config.Id, fold);
        return new TrialLaunch(key, config, TrialSeed(_spec.Search.Seed, key), _spec.Training.MaxEpochs, _record.Started.Contains(key));
    }

    private void ReportIfDone(int configId)
    {
        if (_configs.IsDone(configId) && _reported.Add(configId)) _pacer.Finished(_configs.ResultOf(configId));
    }

    /// <summary>Asks again, in order, every config the journal started, telling each done config's result as it goes.</summary>
    private void Replay()
    {
        var started = _record.Started.Concat(_record.Outcomes.Keys).Where(k => !k.IsFinal).Select(k => k.ConfigId).DefaultIfEmpty(-1).Max() + 1;
        for (var id = 0; id < started; id++)
        {
            if (id > 0) ReportIfDone(id - 1);
            if (_pacer.Ask() is null)
                throw new InvalidOperationException(
                    $"the journal has config {id} started, but the search method does not give it now (configs told: {_pacer.Told})");
        }
        if (started > 0) ReportIfDone(started - 1);
    }
}
