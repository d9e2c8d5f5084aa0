using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Experiments.Core.Scheduling;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using Experiments.Training.Checkpoints;
using Experiments.Training.Data;

namespace Experiments.Actors.Trials;

/// <summary>What one trial-fold is to do: a config on a fold's indices, with its budget and where to write.</summary>
public sealed record TrialPlan(
    string SweepName, TrialKey Key, ModelKind Model, ParameterSet Parameters, IDigitSource Data,
    ImmutableArray<int> Train, ImmutableArray<int> Validation, int MaxEpochs, int? StepsPerEpoch,
    int Seed, int Threads, int Retries, string Directory, string Metric, OptimizationMode Mode,
    CheckpointSpec Checkpoint, ITrainerFactory Factory)
{
    /// <summary>
    /// A runner that takes over a trial from its directory (a restarted host) reports the epoch it
    /// resumes after again and waits for the decision, before training on: the sweep decides every
    /// epoch, kill or not.
    /// </summary>
    public bool AskAfterResuming { get; init; }

    /// <summary>Told of every checkpoint written (a worker's slot ships them to the coordinator); nobody on one machine.</summary>
    public IActorRef? CheckpointsTo { get; init; }

    /// <summary>The plan of a trial-fold the sweep's scheduler launches.</summary>
    public static TrialPlan Of(SweepSpec spec, TrialLaunch launch, IDigitSource data, ImmutableArray<int> train, ImmutableArray<int> validation,
        string directory, ITrainerFactory factory) =>
        new(spec.Name, launch.Key, spec.Model, launch.Config.Parameters, data, train, validation, launch.MaxEpochs,
            spec.Training.StepsPerEpoch, launch.Seed, spec.Resources.ThreadsOf(launch.Key.IsFinal), spec.Retries, directory,
            spec.EarlyStopping.Metric, spec.EarlyStopping.Mode, spec.Checkpoint, factory) { AskAfterResuming = true };
}

public static class TrialRunnerProtocol
{
    /// <summary>To the sweep after each epoch; the runner waits for <see cref="Continue"/> or <see cref="Stop"/>.</summary>
    public sealed record EpochReported(TrialKey Key, EpochMetrics Metrics);
    public sealed record Continue(TrialKey Key);
    public sealed record Stop(TrialKey Key, TrialStatus Status, string Reason);
    public sealed record TrialFinished(TrialOutcome Outcome);

    /// <summary>What the runner is told for a scheduler's decision; null for Wait (the answer comes later).</summary>
    public static object? Answer(EpochDecision decision) => decision.Verdict switch
    {
        Verdict.Wait => null,
        Verdict.Continue => new Continue(decision.Key),
        _ => new Stop(decision.Key, decision.EndStatus!.Value, decision.Reason),
    };
}

/// <summary>
/// Runs one config on one fold. Children: data-loader, trainer (pinned thread), checkpointer.
/// Writes params.json and metrics.csv (<see cref="TrialFiles"/>); reports every epoch to the sweep and obeys its decision.
/// Supervision, said out loud:
/// - trainer: Restart, up to <c>retries</c> times; a restarted trainer resumes from last.ckpt.
///   Past that Akka stops it and the trial is marked failed (the sweep goes on).
/// - checkpointer: Resume on I/O and checkpoint errors (a missed checkpoint only costs a retry more work).
///   It answers every save (Saved or SaveFailed), so a failed write never keeps the trial from finishing.
/// - data-loader: Restart (its state is derived from seed and epoch).
/// </summary>
public sealed class TrialRunner : ReceiveActor
{
    private readonly ILoggingAdapter _log;
    private readonly TrialPlan _plan;
    private readonly IActorRef _reportTo;
    private readonly List<EpochMetrics> _history = new();
    private readonly TrialFiles _files;
    private IActorRef _trainer = ActorRefs.Nobody;
    private IActorRef _checkpointer = ActorRefs.Nobody;
    private int _pendingSaves;
    private string? _lastTrainerError;
    private TrialOutcome? _outcome;
    private bool _trainerAlive = true;
    private TrialBoard? _board;

    public static Props Props(TrialPlan plan, IActorRef reportTo) => Akka.Actor.Props.Create(() => new TrialRunner(plan, reportTo));

    public TrialRunner(TrialPlan plan, IActorRef reportTo)
    {
        _plan = plan;
        _reportTo = reportTo;
        _files = new TrialFiles(plan.Directory, plan.Metric);
        _log = TrialLog.For(Context, plan.SweepName, plan.Key);
        Starting();
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        maxNrOfRetries: _plan.Retries,
        withinTimeRange: Timeout.InfiniteTimeSpan,
        localOnlyDecider: error =>
        {
            switch (error)
            {
                case TrainerFaultException or ActorInitializationException { InnerException: TrainerFaultException }:
                    // A fault while building the model (in PreStart) reaches here wrapped by Akka.
                    var fault = error as TrainerFaultException ?? (TrainerFaultException)error.InnerException!;
                    _lastTrainerError = fault.Message;
                    _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: {Error}", _plan.Key.ConfigId, _plan.Key.Fold, _history.Count + 1, fault.Message);
                    return Directive.Restart;
                case IOException or UnauthorizedAccessException or CheckpointException:
                    _log.Error(error, "Trial {TrialId} fold {Fold} epoch {Epoch}: checkpoint not written", _plan.Key.ConfigId, _plan.Key.Fold, _history.Count);
                    return Directive.Resume;
                default:
                    return Directive.Restart;
            }
        });

    protected override void PreStart()
    {
        _files.WriteParams(_plan.SweepName, _plan.Key, _plan.Seed, _plan.Parameters);
        Board(() => _board = new TrialBoard(_plan.Directory, _plan.Key, _plan.Parameters.ToPlainValues()));
        var loader = Context.ActorOf(DataLoader.Props(_plan.Train, _plan.Parameters.Int("batch-size"), _plan.Seed, _plan.StepsPerEpoch), "data-loader");
        _checkpointer = Context.ActorOf(Checkpointer.Props(_plan.Directory, _plan.SweepName, _plan.Key, _plan.CheckpointsTo), "checkpointer");
        var settings = new TrainerSettings(_plan.SweepName, _plan.Key, _plan.Model, _plan.Parameters, _plan.Data, _plan.Seed, _plan.Threads, _plan.Validation, _plan.Directory, _plan.Factory);
        _trainer = Context.ActorOf(Trainer.Props(settings, loader, _checkpointer), "trainer");
        Context.Watch(_trainer);
    }

    private void Starting()
    {
        Receive<TrainerProtocol.Ready>(OnReady);
        Receive<Terminated>(t => t.ActorRef.Equals(_trainer), _ => OnTrainerGone());
    }

    private void Training()
    {
        Receive<TrainerProtocol.Ready>(OnReady);
        Receive<TrainerProtocol.EpochTrained>(trained =>
        {
            var metrics = new EpochMetrics(trained.Epoch, trained.Metrics, trained.Seconds);
            var value = metrics.Get(_plan.Metric);
            var isBest = value is { } v && _history.All(h => h.Get(_plan.Metric) is not { } old || EarlyStopping.Improves(v, old, _plan.Mode, 0));
            _history.Add(metrics);
            _files.Append(metrics, first: _history.Count == 1);
            Board(() => _board?.Epoch(trained.Epoch, trained.Metrics, trained.Artifacts));
            // last.ckpt every `every-epochs` (and at the final epoch); best.ckpt whenever the metric improves, if kept.
            var saveLast = trained.Epoch % Math.Max(1, _plan.Checkpoint.EveryEpochs) == 0 || trained.Epoch >= _plan.MaxEpochs;
            var saveBest = isBest && _plan.Checkpoint.KeepBest;
            if (saveLast || saveBest)
            {
                _pendingSaves++;
                _checkpointer.Tell(new CheckpointerProtocol.Save(
                    new CheckpointMeta(_plan.Model.ToString().ToLowerInvariant(), trained.Epoch, trained.Step, trained.Metrics),
                    trained.State, saveLast, saveBest));
            }
            var lossName = metrics.Values.ContainsKey("train-loss") ? "train-loss" : "g-loss";
            _log.Info("Trial {TrialId} fold {Fold} epoch {Epoch} {Metric} {Value:G4} {LossName} {Loss:G4} ({Seconds:0.0} s)",
                [_plan.Key.ConfigId, _plan.Key.Fold, trained.Epoch, _plan.Metric, value, lossName, metrics.Get(lossName), trained.Seconds]);
            _reportTo.Tell(new TrialRunnerProtocol.EpochReported(_plan.Key, metrics));
        });
        Receive<CheckpointerProtocol.Saved>(_ => _pendingSaves--);
        Receive<CheckpointerProtocol.SaveFailed>(failed =>
        {
            _pendingSaves--;
            CheckpointNotWritten(failed);
        });
        Receive<TrialRunnerProtocol.Continue>(_ =>
        {
            var epoch = _history.Count;
            if (epoch >= _plan.MaxEpochs) Finish(TrialStatus.Completed, $"ran all {_plan.MaxEpochs} epochs");
            else _trainer.Tell(new TrainerProtocol.StartEpoch(epoch + 1));
        });
        Receive<TrialRunnerProtocol.Stop>(stop => Finish(stop.Status, stop.Reason));
        Receive<TrainerProtocol.Diverged>(d =>
            Finish(TrialStatus.Diverged, $"{d.Metric} was {d.Value.ToString(CultureInfo.InvariantCulture)} at epoch {d.Epoch}, step {d.Step}"));
        Receive<Terminated>(t => t.ActorRef.Equals(_trainer), _ => OnTrainerGone());
    }

    /// <summary>
    /// Waits for outstanding checkpoint writes (stopping never loses the last one) and for the
    /// trainer to be gone (its model disposed), so the sweep never has more trainers alive than
    /// its concurrency limit.
    /// </summary>
    private void Finishing()
    {
        Receive<CheckpointerProtocol.Saved>(_ =>
        {
            _pendingSaves--;
            CompleteWhenSettled();
        });
        Receive<CheckpointerProtocol.SaveFailed>(failed =>
        {
            _pendingSaves--;
            CheckpointNotWritten(failed);
            CompleteWhenSettled();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_trainer), _ =>
        {
            _trainerAlive = false;
            CompleteWhenSettled();
        });
        ReceiveAny(_ => { });
    }

    /// <summary>The journal holds the epoch's metrics; a missing checkpoint only costs a later resume more work.</summary>
    private void CheckpointNotWritten(CheckpointerProtocol.SaveFailed failed) =>
        _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: checkpoint not written, training goes on: {Reason}",
            _plan.Key.ConfigId, _plan.Key.Fold, failed.Epoch, failed.Reason);

    private void OnReady(TrainerProtocol.Ready ready)
    {
        Board(() => _board?.Resumed(ready.LastEpoch));
        if (ready.LastEpoch < _history.Count)
        {
            // A restarted trainer resumed from an older checkpoint: forget the epochs it will redo.
            _history.RemoveRange(ready.LastEpoch, _history.Count - ready.LastEpoch);
            _files.Rewrite(_history);
        }
        else if (ready.LastEpoch > _history.Count)
        {
            // A restarted host: the checkpoint is ahead of this runner's memory; metrics.csv on disk holds
            // the rows, perhaps one more than the checkpoint (written just before a kill): keep what it covers.
            _history.AddRange(_files.ReadMetrics().Take(ready.LastEpoch));
            _files.Rewrite(_history);
            if (_plan.AskAfterResuming && _history.Count == ready.LastEpoch)
            {
                // The decision on the epoch resumed after may never have been given (a kill came first): ask for it again.
                Become(Training);
                _reportTo.Tell(new TrialRunnerProtocol.EpochReported(_plan.Key, _history[^1]));
                return;
            }
        }
        if (ready.LastEpoch >= _plan.MaxEpochs)
        {
            Finish(TrialStatus.Completed, $"ran all {_plan.MaxEpochs} epochs");
            return;
        }
        Become(Training);
        _trainer.Tell(new TrainerProtocol.StartEpoch(ready.LastEpoch + 1));
    }

    private void OnTrainerGone()
    {
        _trainerAlive = false;
        Finish(TrialStatus.Failed, $"trainer failed {_plan.Retries + 1} times; last error: {_lastTrainerError ?? "unknown"}");
    }

    private void Finish(TrialStatus status, string reason)
    {
        Context.Stop(_trainer);
        var values = _history.Select(h => h.Get(_plan.Metric)).Where(v => v is not null).Select(v => v!.Value).ToList();
        var best = EarlyStopping.Best(values, _plan.Mode);
        _outcome = new TrialOutcome(_plan.Key, status, _history.Count, best?.Value, best?.Epoch, reason);
        Board(() => _board?.Ended(status));
        _log.Info("Trial {TrialId} fold {Fold} {State} at epoch {Epoch} ({Reason}); best {Metric} {Best:G4}",
            [_plan.Key.ConfigId, _plan.Key.Fold, status.ToKebab(), _history.Count, reason, _plan.Metric, best?.Value]);
        Become(Finishing);
        CompleteWhenSettled();
    }

    private void CompleteWhenSettled()
    {
        if (_pendingSaves > 0 || _trainerAlive || _outcome is null) return;
        _reportTo.Tell(new TrialRunnerProtocol.TrialFinished(_outcome));
        Context.Stop(Self);
    }

    protected override void PostStop() => _board?.Dispose();

    /// <summary>TensorBoard files are a view: a failed write is logged, never fails the trial.</summary>
    private void Board(Action write)
    {
        try { write(); }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: TensorBoard file not written: {Error}", _plan.Key.ConfigId, _plan.Key.Fold, _history.Count, error.Message);
        }
    }
}
