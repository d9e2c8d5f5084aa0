using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using Experiments.Training.Checkpoints;
using Experiments.Training.Data;

namespace Experiments.Actors.Trials;

/// <summary>Everything a trainer needs to build its model on its own thread.</summary>
public sealed record TrainerSettings(
    string SweepName, TrialKey Key, ModelKind Model, ParameterSet Parameters, IDigitSource Data, int Seed, int Threads,
    ImmutableArray<int> Validation, string ArtifactsDirectory, ITrainerFactory Factory);

public static class TrainerProtocol
{
    public sealed record StartEpoch(int Epoch);
    /// <summary>To the trial runner: built (and restored) and waiting; <see cref="LastEpoch"/> is 0 for a fresh start.</summary>
    public sealed record Ready(int LastEpoch, long Step);
    public sealed record EpochTrained(int Epoch, long Step, ImmutableSortedDictionary<string, double> Metrics, double Seconds, IReadOnlyDictionary<string, byte[]> State,
        IReadOnlyList<string> Artifacts);
    public sealed record Diverged(int Epoch, long Step, string Metric, double Value);
}

/// <summary>A trainer crash, wrapped so the trial runner's decider can tell it from other children's failures.</summary>
public sealed class TrainerFaultException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Owns one model and its optimizer, on a thread of its own (the pinned trainer dispatcher:
/// torch's thread count and dispose scopes are per thread). One Batch message = one step, so a
/// stop interleaves between steps. At the end of an epoch it evaluates the model (which lives on
/// this thread) and hands the metrics and the captured state to its runner, which has them
/// checkpointed. On (re)start it restores the last checkpoint, so a restart is a resume.
/// </summary>
public sealed class Trainer : ReceiveActor, IWithStash
{
    public const string DispatcherId = "experiments.trainer-dispatcher";

    private readonly ILoggingAdapter _log;
    private readonly TrainerSettings _settings;
    private readonly IActorRef _loader;
    private readonly IActorRef _checkpointer;
    private IModelTrainer? _trainer;
    private int _epoch;
    private long _step;
    private readonly Dictionary<string, double> _lossSums = new();
    private int _stepsInEpoch;
    /// <summary>The batch of the epoch asked for and not yet received; replies to any other request are stale.</summary>
    private int _awaitedBatch;
    private readonly Stopwatch _epochClock = new();

    public IStash Stash { get; set; } = null!;

    public static Props Props(TrainerSettings settings, IActorRef loader, IActorRef checkpointer) =>
        Akka.Actor.Props.Create(() => new Trainer(settings, loader, checkpointer)).WithDispatcher(DispatcherId);

    public Trainer(TrainerSettings settings, IActorRef loader, IActorRef checkpointer)
    {
        _settings = settings;
        _log = TrialLog.For(Context, settings.SweepName, settings.Key);
        _loader = loader;
        _checkpointer = checkpointer;
        Restoring();
    }

    protected override void PreStart()
    {
        Guarded(() =>
        {
            TorchRuntime.UseThreads(_settings.Threads);
            _trainer = _settings.Factory.Create(_settings.Model, _settings.Data, _settings.Parameters, _settings.Seed);
        });
        _checkpointer.Tell(new CheckpointerProtocol.GetLast());
    }

    private void Restoring()
    {
        Receive<CheckpointerProtocol.Last>(last =>
        {
            if (last.Meta is { } meta && last.Sections is { } sections)
            {
                Guarded(() => _trainer!.RestoreState(sections, Checkpointer.LastFile));
                _step = meta.Step;
                _log.Info("Trial {TrialId} fold {Fold} resumed from the checkpoint of epoch {Epoch} (step {Step})", _settings.Key.ConfigId, _settings.Key.Fold, meta.Epoch, meta.Step);
            }
            Context.Parent.Tell(new TrainerProtocol.Ready(last.Meta?.Epoch ?? 0, _step));
            Become(Idle);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Idle()
    {
        Receive<TrainerProtocol.StartEpoch>(start =>
        {
            _epoch = start.Epoch;
            _lossSums.Clear();
            _stepsInEpoch = 0;
            _epochClock.Restart();
            _awaitedBatch = 0;
            _loader.Tell(new DataLoaderProtocol.NextBatch(_epoch, _awaitedBatch));
            Become(Training);
        });
        // Replies to requests of the instance that crashed: this one asks again from the epoch's start.
        Receive<DataLoaderProtocol.Batch>(_ => { });
        Receive<DataLoaderProtocol.EpochExhausted>(_ => { });
    }

    private bool IsAwaited(int epoch, int index) => epoch == _epoch && index == _awaitedBatch;

    private void Training()
    {
        Receive<DataLoaderProtocol.Batch>(batch =>
        {
            if (!IsAwaited(batch.Epoch, batch.Index)) return;
            // Ask for the next batch first, so it waits in the mailbox while this step runs.
            _awaitedBatch++;
            _loader.Tell(new DataLoaderProtocol.NextBatch(_epoch, _awaitedBatch));
            var losses = Guarded(() => _trainer!.TrainStep(batch.Indices));
            _step++;
            _stepsInEpoch++;
            foreach (var (name, value) in losses)
            {
                if (!double.IsFinite(value))
                {
                    Diverge(name, value);
                    return;
                }
                _lossSums[name] = _lossSums.GetValueOrDefault(name) + value;
            }
        });

        Receive<DataLoaderProtocol.EpochExhausted>(exhausted => IsAwaited(exhausted.Epoch, exhausted.Index), _ =>
        {
            var metrics = _lossSums.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, _stepsInEpoch));
            var evaluation = Guarded(() => _trainer!.Evaluate(_settings.Validation));
            foreach (var (name, value) in evaluation)
            {
                if (!double.IsFinite(value))
                {
                    Diverge(name, value);
                    return;
                }
                metrics = metrics.SetItem(name, value);
            }
            var written = _trainer is IProducesArtifacts artifacts ? Guarded(() => artifacts.WriteArtifacts(_settings.ArtifactsDirectory, _epoch)) : [];
            var state = Guarded(() => _trainer!.CaptureState());
            Context.Parent.Tell(new TrainerProtocol.EpochTrained(_epoch, _step, metrics, _epochClock.Elapsed.TotalSeconds, state, written));
            Become(Idle);
        });
        Receive<DataLoaderProtocol.EpochExhausted>(_ => { }); // stale: see Idle
    }

    private void Halted()
    {
        ReceiveAny(_ => { });
    }

    private void Diverge(string metric, double value)
    {
        Context.Parent.Tell(new TrainerProtocol.Diverged(_epoch, _step, metric, value));
        Become(Halted);
    }

    private T Guarded<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not TrainerFaultException)
        {
            throw new TrainerFaultException($"trainer failed at epoch {_epoch}, step {_step}: {e.Message}", e);
        }
    }

    private void Guarded(Action action) => Guarded(() => { action(); return 0; });

    protected override void PostStop()
    {
        _trainer?.Dispose();
        _trainer = null;
    }
}
