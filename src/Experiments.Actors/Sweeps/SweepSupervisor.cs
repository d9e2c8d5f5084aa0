using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Experiments.Actors.Datasets;
using Experiments.Actors.Trials;
using Experiments.Core.Folds;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using Experiments.Training.Data;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// One sweep, event-sourced: gets its dataset, splits it (held-out test + k folds), asks the search
/// method for configs, runs a TrialRunner per config × fold under max-concurrent-trials, decides
/// after every epoch (early stopping, pruning), ranks configs by the mean of their folds, then
/// retrains the best on all folds and scores it on the test split.
/// Every fact is journalled before it is acted on (trial started, epoch recorded, trial ended,
/// sweep ended), so a host killed at any point resumes: ended trials are not run again and
/// interrupted ones continue from their last checkpoint.
/// Supervision: a TrialRunner that itself throws is stopped and its trial recorded failed, so one
/// trial never takes the sweep down (runners handle their own children's failures).
/// </summary>
public sealed class SweepSupervisor : ReceivePersistentActor
{
    private const int SnapshotEvery = 500;

    private readonly ILoggingAdapter _log;
    private readonly string _name;
    private readonly SweepSpec? _submitted;
    private readonly string _resultsRoot;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly SweepState _state = new();

    private SweepSpec _spec = null!;
    private SweepResults _results = null!;
    private IDigitSource? _data;
    private DataSplit? _split;
    private ImmutableArray<TrialConfig> _configs = [];
    private readonly Queue<TrialKey> _pending = new();
    private readonly Dictionary<TrialKey, IActorRef> _running = new();
    private readonly Dictionary<IActorRef, TrialKey> _runnerKeys = new();
    private string _phase = SweepStates.LoadingData;

    public override string PersistenceId { get; }

    /// <summary>The journal identity of a sweep: its name and its spec's digest (same name + same spec = resume).</summary>
    public static string PersistenceIdOf(SweepSpec spec) => $"sweep-{spec.Name}-{SpecJson.Digest(spec)}";

    /// <summary>A new sweep (<paramref name="spec"/> given) or, with a null spec, one recovered from the journal.</summary>
    public static Props Props(string persistenceId, string name, SweepSpec? spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory) =>
        Akka.Actor.Props.Create(() => new SweepSupervisor(persistenceId, name, spec, resultsRoot, datasets, factory));

    public SweepSupervisor(string persistenceId, string name, SweepSpec? spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory)
    {
        PersistenceId = persistenceId;
        _name = name;
        _submitted = spec;
        _resultsRoot = resultsRoot;
        _datasets = datasets;
        _factory = factory;
        _log = Context.GetLogger().WithContext("SweepId", name);

        Recover<SnapshotOffer>(offer => _state.Apply((SweepEvents.SweepSnapshot)offer.Snapshot));
        Recover<ISweepEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Recovering();
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Stop);

    private void Recovering()
    {
        CommandAny(_ => Stash.Stash());
    }

    private void OnRecovered()
    {
        if (_state.Spec is null)
        {
            if (_submitted is null)
            {
                // Opened by an earlier version, killed before this journal's first entry: the manager decides.
                _log.Warning("Sweep {SweepId}: nothing in the journal under {PersistenceId} to resume", _name, PersistenceId);
                Context.Parent.Tell(new SweepProtocol.SweepNotStarted(_name));
                Become(() => Command<SweepProtocol.GetStatus>(_ => Sender.Tell(new SweepProtocol.UnknownSweep(_name))));
                return;
            }
            MoveAsideStaleResults(_submitted.Name);
            Persist(new SweepEvents.SweepStarted(SpecJson.Serialize(_submitted)), e =>
            {
                _state.Apply(e);
                Begin();
            });
            return;
        }
        _log.Info("Sweep {SweepId} recovered from the journal: {Ended} trial-folds ended, {Interrupted} interrupted",
            _name, _state.Outcomes.Count, _state.Interrupted.Count());
        Begin();
    }

    private void Begin()
    {
        _spec = _state.Spec!;
        _results = new SweepResults(Path.Combine(_resultsRoot, _spec.Name));
        _results.WriteSpec(_spec);
        _configs = SearchMethods.All(SearchMethods.Create(_spec)).ToImmutableArray();
        if (_state.Ended is { } ended)
        {
            Report(ended.State, ended.TestScore, ended.TestMetrics);
            return;
        }
        Become(LoadingData);
        _datasets.Tell(new DatasetProtocol.GetDataset(_spec.Dataset));
        Stash.UnstashAll();
    }

    /// <summary>A folder left by an earlier sweep of the same name but another spec: kept, renamed, never mixed in.</summary>
    private void MoveAsideStaleResults(string name)
    {
        var folder = Path.Combine(_resultsRoot, name);
        if (!Directory.Exists(folder)) return;
        var aside = $"{folder}.previous-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        Directory.Move(folder, aside);
        _log.Warning("Sweep {SweepId}: results of an earlier sweep with another spec moved to {Folder}", name, aside);
    }

    private void LoadingData()
    {
        Command<DatasetProtocol.DatasetReady>(ready =>
        {
            _data = ready.Source;
            _split = FoldSplitter.Split(_data.LabelArray, _spec.CrossValidation.Folds, _spec.CrossValidation.TestFraction,
                _spec.CrossValidation.Stratified, _spec.CrossValidation.Seed);
            // Interrupted trial-folds first: they resume from their checkpoints.
            var interrupted = _state.Interrupted.Where(k => !k.IsFinal).OrderBy(k => k.ConfigId).ThenBy(k => k.Fold).ToList();
            foreach (var key in interrupted) _pending.Enqueue(key);
            foreach (var config in _configs)
                for (var fold = 0; fold < _spec.CrossValidation.Folds; fold++)
                {
                    var key = new TrialKey(config.Id, fold);
                    if (!_state.Outcomes.ContainsKey(key) && !interrupted.Contains(key)) _pending.Enqueue(key);
                }
            _log.Info("Sweep {SweepId}: {Configs} configs × {Folds} folds on {Samples} samples ({Test} held out for the test); {Remaining} trial-folds to run",
                [_spec.Name, _configs.Length, _spec.CrossValidation.Folds, _split.TrainPool.Length, _split.Test.Length, _pending.Count]);
            _phase = SweepStates.Running;
            Become(Running);
            Continue();
        });
        Command<DatasetProtocol.DatasetUnavailable>(unavailable =>
        {
            _log.Error("Sweep {SweepId} cannot start: {Reason}", _spec.Name, unavailable.Reason);
            End(SweepStates.Failed, null);
        });
        CommonQueries();
    }

    private void Running()
    {
        Command<TrialRunnerProtocol.EpochReported>(report => Record(report, () => Sender.Tell(Decide(report))));
        Command<TrialRunnerProtocol.TrialFinished>(finished => Record(finished.Outcome, Continue));
        Command<Terminated>(t => RunnerCrashed(t.ActorRef));
        CommonQueries();
    }

    private void Retraining(TrialKey final)
    {
        Command<TrialRunnerProtocol.EpochReported>(report => Record(report, () => Sender.Tell(new TrialRunnerProtocol.Continue(report.Key))));
        Command<TrialRunnerProtocol.TrialFinished>(finished => Record(finished.Outcome, () =>
        {
            var test = _state.LastEpoch(final);
            End(finished.Outcome.Status.HasResult() ? SweepStates.Completed : SweepStates.Failed, test);
        }));
        Command<Terminated>(t => RunnerCrashed(t.ActorRef));
        CommonQueries();
    }

    private void Ended()
    {
        CommonQueries();
        CommandAny(_ => { });
    }

    private void CommonQueries()
    {
        Command<SweepProtocol.GetStatus>(_ => Sender.Tell(Status()));
        Command<SweepProtocol.Cancel>(_ =>
        {
            if (_state.Ended is not null) return;
            _log.Warning("Sweep {SweepId} cancelled with {Running} trials running", _name, _running.Count);
            var cancelled = _running.Keys.Select(key => new SweepEvents.TrialEnded(key.ConfigId, key.Fold, TrialStatus.Cancelled,
                _state.History(key, _spec.EarlyStopping.Metric).Count, null, null, "sweep cancelled")).ToList();
            foreach (var runner in _running.Values)
            {
                Context.Unwatch(runner);
                Context.Stop(runner);
            }
            _running.Clear();
            _runnerKeys.Clear();
            _pending.Clear();
            PersistAll(cancelled, e => _state.Apply(e));
            End(SweepStates.Cancelled, null);
        });
    }

    private void Record(TrialRunnerProtocol.EpochReported report, Action then)
    {
        var e = new SweepEvents.EpochRecorded(report.Key.ConfigId, report.Key.Fold, report.Metrics.Epoch,
            report.Metrics.Values.ToDictionary(), report.Metrics.Seconds);
        Persist(e, recorded =>
        {
            _state.Apply(recorded);
            MaybeSnapshot();
            then();
        });
    }

    private void Record(TrialOutcome outcome, Action then)
    {
        var e = new SweepEvents.TrialEnded(outcome.Key.ConfigId, outcome.Key.Fold, outcome.Status, outcome.EpochsRun,
            outcome.BestMetric, outcome.BestEpoch, outcome.Reason);
        Persist(e, ended =>
        {
            _state.Apply(ended);
            MaybeSnapshot();
            if (_running.Remove(outcome.Key, out var runner))
            {
                _runnerKeys.Remove(runner);
                Context.Unwatch(runner);
            }
            if (!outcome.Key.IsFinal)
            {
                var board = _state.Leaderboard(_configs);
                _results.WriteLeaderboard(board, _spec.EarlyStopping.Metric);
                _log.Info("Sweep {SweepId}: {Done}/{Total} trial-folds done, {Running} running; best so far {Best}",
                    [_spec.Name, _state.Outcomes.Keys.Count(k => !k.IsFinal), TotalTrialFolds, _running.Count, Readable.Number(board.FirstOrDefault()?.Mean)]);
            }
            then();
        });
    }

    private object Decide(TrialRunnerProtocol.EpochReported report)
    {
        var history = _state.History(report.Key, _spec.EarlyStopping.Metric);
        if (EarlyStopping.ShouldStop(history, _spec.EarlyStopping))
            return new TrialRunnerProtocol.Stop(report.Key, TrialStatus.EarlyStopped,
                $"{_spec.EarlyStopping.Metric} did not improve by {_spec.EarlyStopping.MinDelta} for {_spec.EarlyStopping.Patience} epochs");
        var peers = _state.TrialsWithHistory.Where(k => k != report.Key && k.Fold == report.Key.Fold)
            .Select(k => _state.History(k, _spec.EarlyStopping.Metric));
        if (Pruning.ShouldPrune(history, peers, _spec.Pruning, _spec.EarlyStopping.Mode))
            return new TrialRunnerProtocol.Stop(report.Key, TrialStatus.Pruned,
                $"{_spec.Pruning.Rule.ToString().ToLowerInvariant()} rule at epoch {history.Count}");
        return new TrialRunnerProtocol.Continue(report.Key);
    }

    /// <summary>Starts trials up to the concurrency limit; when none are left, the final retrain.</summary>
    private void Continue()
    {
        while (_running.Count < _spec.Resources.MaxConcurrentTrials && _pending.TryDequeue(out var key))
        {
            var fold = _split!.Folds[key.Fold];
            Launch(key, _configs[key.ConfigId].Parameters, fold.Train, fold.Validation, _spec.Training.MaxEpochs);
        }
        if (_running.Count == 0 && _pending.Count == 0) StartFinalRetrain();
    }

    private void Launch(TrialKey key, ParameterSet parameters, ImmutableArray<int> train, ImmutableArray<int> validation, int maxEpochs)
    {
        var plan = new TrialPlan(_spec.Name, key, _spec.Model, parameters, _data!, train, validation, maxEpochs,
            _spec.Training.StepsPerEpoch, TrialSeed(key), _spec.Resources.ThreadsPerTrial, _spec.Retries,
            _results.TrialDirectory(key), _spec.EarlyStopping.Metric, _spec.EarlyStopping.Mode, _spec.Checkpoint, _factory);
        var runner = Context.ActorOf(TrialRunner.Props(plan, Self), key.Name);
        Context.Watch(runner);
        _running[key] = runner;
        _runnerKeys[runner] = key;
        Persist(new SweepEvents.TrialStarted(key.ConfigId, key.Fold), e => _state.Apply(e));
    }

    /// <summary>A seed per config and fold, derived from the sweep's seed: reruns are reproducible.</summary>
    private int TrialSeed(TrialKey key) => unchecked(_spec.Search.Seed * 7919 + key.ConfigId * 104729 + (key.Fold + 2) * 1299709) & int.MaxValue;

    private int TotalTrialFolds => _configs.Length * _spec.CrossValidation.Folds;

    private void RunnerCrashed(IActorRef runner)
    {
        if (!_runnerKeys.TryGetValue(runner, out var key)) return;
        Self.Tell(new TrialRunnerProtocol.TrialFinished(new TrialOutcome(key, TrialStatus.Failed,
            _state.History(key, _spec.EarlyStopping.Metric).Count, null, null, "trial runner crashed")));
    }

    private void StartFinalRetrain()
    {
        var top = _state.Leaderboard(_configs).FirstOrDefault(r => r.Mean is not null);
        if (top is null || _split!.Test.IsEmpty)
        {
            End(top is null ? SweepStates.Failed : SweepStates.Completed, null);
            return;
        }
        // Retrain for as long as the folds found best (early stopping's answer), or the full budget without it.
        var bestEpochs = _state.Outcomes.Values.Where(o => o.Key.ConfigId == top.Config.Id && !o.Key.IsFinal && o.BestEpoch is not null)
            .Select(o => o.BestEpoch!.Value).ToList();
        var epochs = _spec.EarlyStopping.Enabled && bestEpochs.Count > 0
            ? Math.Max(1, (int)Math.Round(bestEpochs.Average()))
            : _spec.Training.MaxEpochs;
        // Retrained before a kill that came ahead of SweepEnded: end with that result, never retrain twice.
        if (_state.Outcomes.Values.FirstOrDefault(o => o.Key.IsFinal) is { } retrained)
        {
            End(retrained.Status.HasResult() ? SweepStates.Completed : SweepStates.Failed, _state.LastEpoch(retrained.Key));
            return;
        }
        var final = new TrialKey(top.Config.Id, TrialKey.FinalFold);
        _log.Info("Sweep {SweepId}: retraining config {BestConfig} on all folds for {Epochs} epochs, then scoring it on {Test} held-out samples",
            [_spec.Name, top.Config.Id, epochs, _split.Test.Length]);
        _phase = SweepStates.Retraining;
        Become(() => Retraining(final));
        Launch(final, top.Config.Parameters, _split.TrainPool, _split.Test, epochs);
    }

    private void End(string state, EpochMetrics? test)
    {
        Persist(new SweepEvents.SweepEnded(state, test?.Get(_spec.EarlyStopping.Metric), test?.Values.ToDictionary()), e =>
        {
            _state.Apply(e);
            Report(e.State, e.TestScore, e.TestMetrics);
        });
    }

    private void Report(string state, double? testScore, IReadOnlyDictionary<string, double>? testMetrics)
    {
        _phase = state;
        var board = _state.Leaderboard(_configs);
        var best = board.FirstOrDefault(r => r.Mean is not null)?.Config;
        var summary = new SweepSummary(_spec.Name, state, _spec.EarlyStopping.Metric, _spec.EarlyStopping.Mode, board, best, testScore, testMetrics,
            TotalTrialFolds, _state.Outcomes.Values.Count(o => o.Status == TrialStatus.Failed), _results.Directory);
        _results.WriteLeaderboard(board, _spec.EarlyStopping.Metric);
        _results.WriteSummary(summary);
        _log.Info("Sweep {SweepId} {State}: best config {BestConfig}, test {Metric} {TestScore:G4}", [_spec.Name, state, best?.Id, _spec.EarlyStopping.Metric, testScore]);
        Context.Parent.Tell(new SweepProtocol.SweepCompleted(summary));
        Become(Ended);
        Stash.UnstashAll();
    }

    private void MaybeSnapshot()
    {
        if (++_state.EventsSinceSnapshot < SnapshotEvery) return;
        _state.EventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    private SweepProtocol.SweepStatus Status() => new(_name, _phase, TotalTrialFolds,
        _state.Outcomes.Keys.Count(k => !k.IsFinal), _running.Count, _spec is null ? [] : _state.Leaderboard(_configs));
}
