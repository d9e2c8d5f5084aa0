using System.Collections.Immutable;
using Experiments.Core.Spec;
using Experiments.Training;
using Experiments.Training.Data;
using Experiments.Training.Cnn;

namespace Experiments.Actors.Tests.Support;

/// <summary>The real trainer, with one behaviour replaceable by a test.</summary>
public class DelegatingTrainer(IModelTrainer inner) : IModelTrainer
{
    public int BatchSize => inner.BatchSize;
    public virtual IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch) => inner.TrainStep(batch);
    public virtual IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices) => inner.Evaluate(indices);
    public IReadOnlyDictionary<string, byte[]> CaptureState() => inner.CaptureState();
    public void RestoreState(IReadOnlyDictionary<string, byte[]> sections, string source) => inner.RestoreState(sections, source);
    public virtual void Dispose() => inner.Dispose();
}

/// <summary>The fault a test injects; its message is what the trial's failure reason must carry.</summary>
public sealed class InjectedFault(string message) : Exception(message);

/// <summary>Counts training steps across every trainer a factory builds, so a fault can hit "step N" across restarts.</summary>
public sealed class StepCounter
{
    private int _steps;
    public int Steps => Volatile.Read(ref _steps);
    public int Next() => Interlocked.Increment(ref _steps);
}

/// <summary>Throws once, when the shared step count reaches <paramref name="failAtStep"/>.</summary>
public sealed class ThrowsAtStep(IModelTrainer inner, StepCounter counter, int failAtStep) : DelegatingTrainer(inner)
{
    public override IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch) =>
        counter.Next() == failAtStep ? throw new InjectedFault($"injected fault at step {failAtStep}") : base.TrainStep(batch);
}

public sealed class AlwaysThrows(IModelTrainer inner) : DelegatingTrainer(inner)
{
    public const string Message = "injected fault: this trainer always fails";
    public override IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch) => throw new InjectedFault(Message);
}

public sealed class NaNLoss(IModelTrainer inner) : DelegatingTrainer(inner)
{
    public override IReadOnlyDictionary<string, double> TrainStep(ReadOnlySpan<int> batch)
    {
        base.TrainStep(batch);
        return new Dictionary<string, double> { [CnnModel.Metrics.TrainLoss] = double.NaN };
    }
}

/// <summary>Trains for real but reports the same val-loss every epoch: a stagnating metric.</summary>
public sealed class ConstantValLoss(IModelTrainer inner, double valLoss) : DelegatingTrainer(inner)
{
    public override IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<int> indices) =>
        new Dictionary<string, double>(base.Evaluate(indices)) { [CnnModel.Metrics.ValLoss] = valLoss };
}

/// <summary>Builds the real trainers, wraps them as the test asks, and records how many were built and are alive.</summary>
public sealed class TestTrainerFactory(Func<IModelTrainer, ParameterSet, IModelTrainer> wrap) : ITrainerFactory
{
    private readonly Lock _gate = new();
    private int _alive;
    private int _maxAlive;
    private ImmutableList<ParameterSet> _created = ImmutableList<ParameterSet>.Empty;

    public static TestTrainerFactory Real() => new((trainer, _) => trainer);

    public int Alive { get { lock (_gate) return _alive; } }
    public int MaxAlive { get { lock (_gate) return _maxAlive; } }
    public int Created => _created.Count;
    public IReadOnlyList<ParameterSet> CreatedWith => _created;

    public IModelTrainer Create(ModelKind model, IDigitSource data, ParameterSet parameters, int seed)
    {
        var trainer = wrap(TrainerFactory.Instance.Create(model, data, parameters, seed), parameters);
        lock (_gate)
        {
            _alive++;
            _maxAlive = Math.Max(_maxAlive, _alive);
            _created = _created.Add(parameters);
        }
        return new Disposing(trainer, this);
    }

    private void Disposed()
    {
        lock (_gate) _alive--;
    }

    /// <summary>Counts the trainer as gone when the actor disposes it.</summary>
    private sealed class Disposing(IModelTrainer inner, TestTrainerFactory owner) : DelegatingTrainer(inner)
    {
        private int _disposed;

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            base.Dispose();
            owner.Disposed();
        }
    }
}
