using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
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
/// One sweep: gets its dataset, splits it (held-out test + k folds), asks the search method for
/// configs, runs a TrialRunner per config × fold under max-concurrent-trials, decides after every
/// epoch (early stopping, pruning), ranks configs by the mean of their folds, then retrains the
/// best on all folds and scores it on the test split.
/// Supervision: TrialRunners handle their own children's failures; a runner that itself throws is
/// stopped (its trial is then recorded failed) so that one trial never takes the sweep down.
/// </summary>
public sealed class SweepSupervisor : ReceiveActor
{
    private readonly ILoggingAdapter _log;
    private readonly SweepSpec _spec;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly SweepResults _results;
    private readonly string _metric;
    private readonly OptimizationMode _mode;

    private IDigitSource? _data;
    private DataSplit? _split;
    private ImmutableArray<TrialConfig> _configs = [];
    private readonly Queue<TrialKey> _pending = new();
    private readonly Dictionary<TrialKey, IActorRef> _running = new();
    private readonly Dictionary<IActorRef, TrialKey> _runnerKeys = new();
    private readonly Dictionary<TrialKey, List<double>> _histories = new();
    private readonly Dictionary<TrialKey, EpochMetrics> _lastMetrics = new();
    private readonly Dictionary<TrialKey, TrialOutcome> _outcomes = new();
    private string _state = SweepStates.LoadingData;
    private TrialConfig? _best;

    public static Props Props(SweepSpec spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory) =>
        Akka.Actor.Props.Create(() => new SweepSupervisor(spec, resultsRoot, datasets, factory));

    public SweepSupervisor(SweepSpec spec, string resultsRoot, IActorRef datasets, ITrainerFactory factory)
    {
        _spec = spec;
        _datasets = datasets;
        _factory = factory;
        _results = new SweepResults(Path.Combine(resultsRoot, spec.Name));
        _metric = spec.EarlyStopping.Metric;
        _mode = spec.EarlyStopping.Mode;
        _log = Context.GetLogger().WithContext("SweepId", spec.Name);
        LoadingData();
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Stop);

    protected override void PreStart()
    {
        _results.WriteSpec(_spec);
        _datasets.Tell(new DatasetProtocol.GetDataset(_spec.Dataset));
    }

    private void LoadingData()
    {
        Receive<DatasetProtocol.DatasetReady>(ready =>
        {
            _data = ready.Source;
            _split = FoldSplitter.Split(_data.LabelArray, _spec.CrossValidation.Folds, _spec.CrossValidation.TestFraction,
                _spec.CrossValidation.Stratified, _spec.CrossValidation.Seed);
            _configs = SearchMethods.All(SearchMethods.Create(_spec)).ToImmutableArray();
            foreach (var config in _configs)
                for (var fold = 0; fold < _spec.CrossValidation.Folds; fold++) _pending.Enqueue(new TrialKey(config.Id, fold));
            _log.Info("Sweep {SweepId}: {Configs} configs × {Folds} folds on {Samples} samples ({Test} held out for the test)",
                _spec.Name, _configs.Length, _spec.CrossValidation.Folds, _split.TrainPool.Length, _split.Test.Length);
            _state = SweepStates.Running;
            Become(Running);
            LaunchTrials();
        });
        Receive<DatasetProtocol.DatasetUnavailable>(unavailable =>
        {
            _log.Error("Sweep {SweepId} cannot start: {Reason}", _spec.Name, unavailable.Reason);
            End(SweepStates.Failed, null);
        });
        CommonQueries();
    }

    private void Running()
    {
        Receive<TrialRunnerProtocol.EpochReported>(report => Sender.Tell(Decide(report)));
        Receive<TrialRunnerProtocol.TrialFinished>(finished =>
        {
            Record(finished.Outcome);
            if (_running.Count == 0 && _pending.Count == 0) StartFinalRetrain();
            else LaunchTrials();
        });
        Receive<Terminated>(t => RunnerCrashed(t.ActorRef));
        CommonQueries();
    }

    private void Retraining()
    {
        Receive<TrialRunnerProtocol.EpochReported>(report =>
        {
            _lastMetrics[report.Key] = report.Metrics;
            Sender.Tell(new TrialRunnerProtocol.Continue(report.Key));
        });
        Receive<TrialRunnerProtocol.TrialFinished>(finished =>
        {
            Record(finished.Outcome);
            var test = _lastMetrics.GetValueOrDefault(finished.Outcome.Key);
            End(finished.Outcome.Status.HasResult() ? SweepStates.Completed : SweepStates.Failed, test);
        });
        Receive<Terminated>(t => RunnerCrashed(t.ActorRef));
        CommonQueries();
    }

    private void Ended()
    {
        CommonQueries();
        ReceiveAny(_ => { });
    }

    private void CommonQueries()
    {
        Receive<SweepProtocol.GetStatus>(_ => Sender.Tell(Status()));
        Receive<SweepProtocol.Cancel>(_ =>
        {
            if (_state is SweepStates.Completed or SweepStates.Cancelled or SweepStates.Failed) return;
            _log.Warning("Sweep {SweepId} cancelled with {Running} trials running", _spec.Name, _running.Count);
            foreach (var (key, runner) in _running)
            {
                Context.Unwatch(runner);
                Context.Stop(runner);
                Record(new TrialOutcome(key, TrialStatus.Cancelled, _histories.GetValueOrDefault(key)?.Count ?? 0, null, null, "sweep cancelled"));
            }
            _pending.Clear();
            End(SweepStates.Cancelled, null);
        });
    }

    private object Decide(TrialRunnerProtocol.EpochReported report)
    {
        _lastMetrics[report.Key] = report.Metrics;
        var history = _histories.TryGetValue(report.Key, out var h) ? h : _histories[report.Key] = new List<double>();
        // A resumed trial re-reports from its checkpoint: keep one value per epoch.
        if (history.Count >= report.Metrics.Epoch) history.RemoveRange(report.Metrics.Epoch - 1, history.Count - report.Metrics.Epoch + 1);
        if (report.Metrics.Get(_metric) is { } value) history.Add(value);

        if (EarlyStopping.ShouldStop(history, _spec.EarlyStopping))
            return new TrialRunnerProtocol.Stop(report.Key, TrialStatus.EarlyStopped,
                $"{_metric} did not improve by {_spec.EarlyStopping.MinDelta} for {_spec.EarlyStopping.Patience} epochs");
        var peers = _histories.Where(kv => kv.Key != report.Key && kv.Key.Fold == report.Key.Fold).Select(kv => (IReadOnlyList<double>)kv.Value);
        if (Pruning.ShouldPrune(history, peers, _spec.Pruning, _mode))
            return new TrialRunnerProtocol.Stop(report.Key, TrialStatus.Pruned,
                $"{_spec.Pruning.Rule.ToString().ToLowerInvariant()} rule at epoch {history.Count}");
        return new TrialRunnerProtocol.Continue(report.Key);
    }

    private void LaunchTrials()
    {
        while (_running.Count < _spec.Resources.MaxConcurrentTrials && _pending.TryDequeue(out var key))
        {
            var fold = _split!.Folds[key.Fold];
            Launch(key, _configs[key.ConfigId].Parameters, fold.Train, fold.Validation, _spec.Training.MaxEpochs);
        }
    }

    private void Launch(TrialKey key, ParameterSet parameters, ImmutableArray<int> train, ImmutableArray<int> validation, int maxEpochs)
    {
        var plan = new TrialPlan(_spec.Name, key, _spec.Model, parameters, _data!, train, validation, maxEpochs,
            _spec.Training.StepsPerEpoch, TrialSeed(key), _spec.Resources.ThreadsPerTrial, _spec.Retries,
            _results.TrialDirectory(key), _metric, _mode, _spec.Checkpoint, _factory);
        var runner = Context.ActorOf(TrialRunner.Props(plan, Self), key.Name);
        Context.Watch(runner);
        _running[key] = runner;
        _runnerKeys[runner] = key;
    }

    /// <summary>A seed per config and fold, derived from the sweep's seed: reruns are reproducible.</summary>
    private int TrialSeed(TrialKey key) => unchecked(_spec.Search.Seed * 7919 + key.ConfigId * 104729 + (key.Fold + 2) * 1299709) & int.MaxValue;

    private void Record(TrialOutcome outcome)
    {
        _outcomes[outcome.Key] = outcome;
        if (_running.Remove(outcome.Key, out var runner))
        {
            _runnerKeys.Remove(runner);
            Context.Unwatch(runner);
        }
        if (outcome.Key.IsFinal) return;
        var board = Board();
        _results.WriteLeaderboard(board, _metric);
        var done = _outcomes.Keys.Count(k => !k.IsFinal);
        _log.Info("Sweep {SweepId}: {Done}/{Total} trial-folds done, {Running} running; best so far {Best}",
            _spec.Name, done, _configs.Length * _spec.CrossValidation.Folds, _running.Count, Leaderboard.Format(board.FirstOrDefault()?.Mean));
    }

    private void RunnerCrashed(IActorRef runner)
    {
        if (!_runnerKeys.TryGetValue(runner, out var key)) return;
        Self.Tell(new TrialRunnerProtocol.TrialFinished(new TrialOutcome(key, TrialStatus.Failed,
            _histories.GetValueOrDefault(key)?.Count ?? 0, null, null, "trial runner crashed")));
    }

    private ImmutableArray<LeaderboardRow> Board() => Leaderboard.Build(_configs, _outcomes.Values, _spec.CrossValidation.Folds, _mode);

    private void StartFinalRetrain()
    {
        var top = Board().FirstOrDefault(r => r.Mean is not null);
        if (top is null || _split!.Test.IsEmpty)
        {
            End(top is null ? SweepStates.Failed : SweepStates.Completed, null);
            return;
        }
        _best = top.Config;
        // Retrain for as long as the folds found best (early stopping's answer), or the full budget without it.
        var bestEpochs = _outcomes.Values.Where(o => o.Key.ConfigId == top.Config.Id && o.BestEpoch is not null).Select(o => o.BestEpoch!.Value).ToList();
        var epochs = _spec.EarlyStopping.Enabled && bestEpochs.Count > 0
            ? Math.Max(1, (int)Math.Round(bestEpochs.Average()))
            : _spec.Training.MaxEpochs;
        _log.Info("Sweep {SweepId}: retraining config {TrialId} on all folds for {Epochs} epochs, then scoring it on {Test} held-out samples",
            _spec.Name, top.Config.Id, epochs, _split.Test.Length);
        _state = SweepStates.Retraining;
        Become(Retraining);
        Launch(new TrialKey(top.Config.Id, TrialKey.FinalFold), top.Config.Parameters, _split.TrainPool, _split.Test, epochs);
    }

    private void End(string state, EpochMetrics? test)
    {
        _state = state;
        var board = Board();
        _best ??= board.FirstOrDefault(r => r.Mean is not null)?.Config;
        var summary = new SweepSummary(_spec.Name, state, _metric, _mode, board, _best, test?.Get(_metric), test?.Values,
            _configs.Length * _spec.CrossValidation.Folds,
            _outcomes.Values.Count(o => o.Status == TrialStatus.Failed), _results.Directory);
        _results.WriteLeaderboard(board, _metric);
        _results.WriteSummary(summary);
        _log.Info("Sweep {SweepId} {State}: best config {TrialId}, test {Metric} {TestScore}", _spec.Name, state, _best?.Id, _metric, summary.TestScore);
        Context.Parent.Tell(new SweepProtocol.SweepCompleted(summary));
        Become(Ended);
    }

    private SweepProtocol.SweepStatus Status() => new(_spec.Name, _state, _configs.Length * _spec.CrossValidation.Folds,
        _outcomes.Keys.Count(k => !k.IsFinal), _running.Count, Board());
}
