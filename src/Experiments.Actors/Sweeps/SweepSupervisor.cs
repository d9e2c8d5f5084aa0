using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Experiments.Actors.Datasets;
using Experiments.Actors.Trials;
using Experiments.Core.Folds;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using Experiments.Training.Data;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// One sweep, event-sourced: gets its dataset, splits it (held-out test + k folds), and runs what its
/// <see cref="SweepScheduler"/> decides: a TrialRunner per trial-fold it launches (under
/// max-concurrent-trials), its decision after every epoch (early stopping, pruning; a Wait is
/// answered when the peers have caught up, the runner holding its trainer meanwhile), then the
/// retrain of the best config on all folds, scored on the test split. This actor only persists,
/// carries out and replies. Every fact is journalled before it is acted on, so a host killed at
/// any point resumes: ended trials are not run again, interrupted ones continue from their checkpoint.
/// It also journals which node each trial-fold is handed to (TrialAssigned, for the views; the
/// scheduler never reads it, so decisions are the same on one node or many).
/// Supervision: a TrialRunner that itself throws is stopped and its trial recorded failed, so one
/// trial never takes the sweep down (runners handle their own children's failures).
/// Recovery and the start of a sweep (journal, snapshots, results folder) are in SweepSupervisor.Recovery.cs.
/// </summary>
public sealed partial class SweepSupervisor : ReceivePersistentActor
{
    private const int SnapshotEvery = 500;

    private readonly ILoggingAdapter _log;
    private readonly string _name;
    private readonly SpecText? _submitted;
    private readonly string _resultsRoot;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly IActorRef? _workQueue;
    private readonly SweepState _state = new();

    private SweepSpec _spec = null!;
    private SweepResults _results = null!;
    private IDigitSource? _data;
    private DataSplit? _split;
    private SweepScheduler _scheduler = null!;
    private readonly Dictionary<TrialKey, IActorRef> _running = new();
    private readonly Dictionary<IActorRef, TrialKey> _runnerKeys = new();
    private readonly Dictionary<TrialKey, DateTime> _launchedAt = new();
    /// <summary>Running in a cluster but held by no slot now (queued since launch, or since its node was lost).</summary>
    private readonly HashSet<TrialKey> _waitingForSlot = new();
    private readonly TimeLeftEstimator _timeLeft = new();
    private string _phase = SweepStates.LoadingData;

    public override string PersistenceId { get; }

    /// <summary>The journal identity of a sweep: its name and its spec's digest (same name + same spec = resume).</summary>
    public static string PersistenceIdOf(SweepSpec spec) => PersistenceIdOf(SpecText.Of(spec));

    public static string PersistenceIdOf(SpecText spec) => $"sweep-{spec.Name}-{SpecJson.Digest(spec)}";

    /// <summary>
    /// A new sweep (<paramref name="spec"/> given, as the manager serialised it when it opened the
    /// sweep) or, with a null spec, one recovered from the journal.
    /// </summary>
    /// <param name="workQueue">In a cluster: trial-folds are <see cref="Cluster.RemoteTrial"/>s that slots pull from this queue; null: TrialRunners here.</param>
    public static Props Props(string persistenceId, string name, SpecText? spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory,
        IActorRef? workQueue = null) =>
        Akka.Actor.Props.Create(() => new SweepSupervisor(persistenceId, name, spec, resultsRoot, datasets, factory, workQueue));

    public SweepSupervisor(string persistenceId, string name, SpecText? spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory,
        IActorRef? workQueue)
    {
        _workQueue = workQueue;
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

    private void LoadingData()
    {
        Command<DatasetProtocol.DatasetReady>(ready =>
        {
            _data = ready.Source;
            _split = FoldSplitter.Split(_data.LabelArray, _spec.CrossValidation.Folds, _spec.CrossValidation.TestFraction,
                _spec.CrossValidation.Stratified, _spec.CrossValidation.Seed);
            _log.Info("Sweep {SweepId}: {Configs} configs × {Folds} folds on {Samples} samples ({Test} held out for the test); {Remaining} trial-folds to run",
                [_spec.Name, _scheduler.PlannedConfigs, _spec.CrossValidation.Folds, _split.TrainPool.Length, _split.Test.Length,
                    _scheduler.TotalTrialFolds - _scheduler.SettledTrialFolds]);
            _phase = SweepStates.Running;
            Become(Running);
            LaunchNext();
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
        Command<TrialRunnerProtocol.EpochReported>(Record);
        Command<TrialRunnerProtocol.TrialFinished>(finished => Record(finished.Outcome, LaunchNext));
        Command<Terminated>(t => RunnerCrashed(t.ActorRef));
        Placements();
        CommonQueries();
    }

    private void Retraining(TrialKey final)
    {
        Command<TrialRunnerProtocol.EpochReported>(Record);
        Command<TrialRunnerProtocol.TrialFinished>(finished => Record(finished.Outcome, () =>
        {
            var test = _state.LastEpoch(final);
            End(finished.Outcome.Status.HasResult() ? SweepStates.Completed : SweepStates.Failed, test);
        }));
        Command<Terminated>(t => RunnerCrashed(t.ActorRef));
        Placements();
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
        Command<SweepDetailProtocol.GetDetail>(_ => Sender.Tell(Detail()));
        Command<SweepProtocol.Cancel>(_ =>
        {
            if (_state.Ended is not null) return;
            _log.Warning("Sweep {SweepId} cancelled with {Running} trials running", _name, _running.Count);
            var cancelled = _running.Keys.Select(key => new TrialOutcome(key, TrialStatus.Cancelled,
                _state.History(key, _spec.EarlyStopping.Metric).Count, null, null, "sweep cancelled").ToEvent()).ToList();
            foreach (var runner in _running.Values)
            {
                Context.Unwatch(runner);
                Context.Stop(runner);
            }
            _running.Clear();
            _runnerKeys.Clear();
            _waitingForSlot.Clear();
            PersistAll(cancelled, e => _state.Apply(e));
            End(SweepStates.Cancelled, null);
        });
    }

    /// <summary>Journals the epoch, then tells the runner the scheduler's decision (a Wait is answered later) and any decision it unblocked.</summary>
    private void Record(TrialRunnerProtocol.EpochReported report)
    {
        Persist(report.Metrics.ToEvent(report.Key), recorded =>
        {
            _state.Apply(recorded);
            MaybeSnapshot();
            Context.System.EventStream.Publish(new SweepProtocol.EpochJournalled(_name, report.Key, report.Metrics.Epoch));
            CarryOut(_scheduler.AfterEpoch(report.Key));
            foreach (var decision in _scheduler.Unblocked()) CarryOut(decision);
        });
    }

    private void Record(TrialOutcome outcome, Action then)
    {
        Persist(outcome.ToEvent(), ended =>
        {
            _state.Apply(ended);
            MaybeSnapshot();
            if (_running.Remove(outcome.Key, out var runner))
            {
                _runnerKeys.Remove(runner);
                Context.Unwatch(runner);
            }
            _waitingForSlot.Remove(outcome.Key);
            if (_launchedAt.Remove(outcome.Key, out var launched)) _timeLeft.RecordFinished(DateTime.UtcNow - launched);
            foreach (var decision in _scheduler.AfterEnd(outcome.Key)) CarryOut(decision);
            if (!outcome.Key.IsFinal)
            {
                var board = _scheduler.Leaderboard();
                _results.WriteLeaderboard(board, _spec.EarlyStopping.Metric);
                WritePlots(board, outcome.Key);
                var left = _timeLeft.Estimate(_scheduler.TotalTrialFolds - _scheduler.SettledTrialFolds, _spec.Resources.MaxConcurrentTrials);
                _log.Info("Sweep {SweepId}: {Done}/{Total} trial-folds done, {Running} running, {TimeLeft}; best so far {Best}",
                    [_spec.Name, _scheduler.SettledTrialFolds, _scheduler.TotalTrialFolds, _running.Count, TimeLeftEstimator.Describe(left),
                        Readable.Number(board.FirstOrDefault()?.Mean)]);
            }
            then();
        });
    }

    /// <summary>Best effort: a plot that cannot be drawn is logged and never stops the sweep.</summary>
    private void WritePlots(System.Collections.Immutable.ImmutableArray<LeaderboardRow> board, TrialKey? fidOf)
    {
        try { _results.WritePlots(_spec, _state.Record, board, fidOf); }
        catch (Exception e) { _log.Warning(e, "Sweep {SweepId}: plots not written: {Reason}", [_spec.Name, e.Message]); }
    }

    private void CarryOut(EpochDecision decision)
    {
        if (!_running.TryGetValue(decision.Key, out var runner)) return;
        if (TrialRunnerProtocol.Answer(decision) is { } answer) runner.Tell(answer);
        else _log.Debug("Trial {TrialId} fold {Fold} epoch {Epoch} waits for its peers: {Reason}",
            decision.Key.ConfigId, decision.Key.Fold, decision.Epoch, decision.Reason);
    }

    /// <summary>Starts what the scheduler gives for the free slots; when the sweep's trial-folds are all done, the final retrain.</summary>
    private void LaunchNext()
    {
        foreach (var launch in _scheduler.NextLaunches(_spec.Resources.MaxConcurrentTrials - _running.Count))
        {
            var fold = _split!.Folds[launch.Key.Fold];
            Launch(launch, fold.Train, fold.Validation);
        }
        if (_scheduler.IsDone) StartFinalRetrain();
    }

    private void Launch(TrialLaunch launch, ImmutableArray<int> train, ImmutableArray<int> validation)
    {
        var key = launch.Key;
        var directory = _results.TrialDirectory(key);
        var runner = _workQueue is null
            ? Context.ActorOf(TrialRunner.Props(TrialPlan.Of(_spec, launch, _data!, train, validation, directory, _factory), Self), key.Name)
            : Context.ActorOf(Cluster.RemoteTrial.Props(_spec.Name, _state.SpecText!.Json, launch, directory, _spec.EarlyStopping.Metric, _workQueue), key.Name);
        Context.Watch(runner);
        _running[key] = runner;
        _runnerKeys[runner] = key;
        _launchedAt[key] = DateTime.UtcNow;
        Persist(new SweepEvents.TrialStarted(key.ConfigId, key.Fold), e => _state.Apply(e));
        // Without a cluster the runner is here: handed to this node at once. In one, a slot takes it later (PlacedOn).
        if (_workQueue is null) Assign(key, Cluster.NodeName.Of(Context.System), Checkpointer.LastEpochIn(directory));
        else _waitingForSlot.Add(key);
    }

    /// <summary>Which node holds each trial-fold: journalled for the views only; nothing here decides from it.</summary>
    private void Placements()
    {
        Command<Cluster.ClusterProtocol.PlacedOn>(placed =>
        {
            if (_running.ContainsKey(placed.Key)) Assign(placed.Key, placed.Node, placed.ResumesAfter);
        });
        Command<Cluster.ClusterProtocol.BackInQueue>(queued =>
        {
            if (_running.ContainsKey(queued.Key)) _waitingForSlot.Add(queued.Key);
        });
    }

    private void Assign(TrialKey key, string node, int? resumesAfter) =>
        Persist(new SweepEvents.TrialAssigned(key.ConfigId, key.Fold, node, resumesAfter), e =>
        {
            _state.Apply(e);
            _waitingForSlot.Remove(key);
        });

    private void RunnerCrashed(IActorRef runner)
    {
        if (!_runnerKeys.TryGetValue(runner, out var key)) return;
        Self.Tell(new TrialRunnerProtocol.TrialFinished(new TrialOutcome(key, TrialStatus.Failed,
            _state.History(key, _spec.EarlyStopping.Metric).Count, null, null, "trial runner crashed")));
    }

    private void StartFinalRetrain()
    {
        var retrain = _scheduler.FinalRetrain(hasTestSplit: !_split!.Test.IsEmpty);
        if (retrain is null)
        {
            End(_scheduler.Best is null ? SweepStates.Failed : SweepStates.Completed, null);
            return;
        }
        // Retrained before a kill that came ahead of SweepEnded: end with that result, never retrain twice.
        if (_state.Outcomes.Values.FirstOrDefault(o => o.Key.IsFinal) is { } retrained)
        {
            End(retrained.Status.HasResult() ? SweepStates.Completed : SweepStates.Failed, _state.LastEpoch(retrained.Key));
            return;
        }
        _log.Info("Sweep {SweepId}: retraining config {BestConfig} on all folds for {Epochs} epochs, then scoring it on {Test} held-out samples",
            [_spec.Name, retrain.Config.Id, retrain.MaxEpochs, _split.Test.Length]);
        _phase = SweepStates.Retraining;
        Become(() => Retraining(retrain.Key));
        Launch(retrain, _split.TrainPool, _split.Test);
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
        var board = _scheduler.Leaderboard();
        var best = board.FirstOrDefault(r => r.Mean is not null)?.Config;
        var summary = new SweepSummary(_spec.Name, state, _spec.EarlyStopping.Metric, _spec.EarlyStopping.Mode, board, best, testScore, testMetrics,
            _scheduler.TotalTrialFolds, _state.Outcomes.Values.Count(o => o.Status == TrialStatus.Failed), _results.Directory);
        _results.WriteLeaderboard(board, _spec.EarlyStopping.Metric);
        WritePlots(board, null);
        _results.WriteSummary(summary);
        _log.Info("Sweep {SweepId} {State}: best config {BestConfig}, test {Metric} {TestScore:G4}", [_spec.Name, state, best?.Id, _spec.EarlyStopping.Metric, testScore]);
        Context.Parent.Tell(new SweepProtocol.SweepCompleted(summary));
        Become(Ended);
        Stash.UnstashAll();
    }

    private SweepProtocol.SweepStatus Status() => _scheduler is null
        ? new(_name, _phase, 0, 0, 0, [])
        : new(_name, _phase, _scheduler.TotalTrialFolds, _scheduler.SettledTrialFolds, _running.Count, _scheduler.Leaderboard(),
            _state.Outcomes.Values.Count(o => o.Status == TrialStatus.Failed));

    private SweepDetailProtocol.SweepDetail Detail() => new(_name, _phase, _spec.EarlyStopping.Metric, _spec.EarlyStopping.Mode, _results.Directory,
        _scheduler is null ? [] : _scheduler.Leaderboard(), SweepDetailProtocol.Histories(_state, _waitingForSlot));
}
