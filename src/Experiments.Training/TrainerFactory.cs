using Experiments.Core.Spec;
using Experiments.Training.Cnn;
using Experiments.Training.Data;
using Experiments.Training.Gan;

namespace Experiments.Training;

/// <summary>Builds the trainer for a model kind. An interface so tests can inject faults around the real trainers.</summary>
public interface ITrainerFactory
{
    IModelTrainer Create(ModelKind model, IDigitSource data, ParameterSet parameters, int seed);
}

public sealed class TrainerFactory : ITrainerFactory
{
    public static readonly TrainerFactory Instance = new();

    public IModelTrainer Create(ModelKind model, IDigitSource data, ParameterSet parameters, int seed) => model switch
    {
        ModelKind.Cnn => new CnnTrainer(data, CnnHyperParameters.From(parameters), seed),
        // Every GAN trial scores with the same cached classifier, so FIDs compare across trials.
        ModelKind.Gan => new GanTrainer(data, GanHyperParameters.From(parameters), seed, DigitClassifierCache.Load(data)),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown model"),
    };
}
