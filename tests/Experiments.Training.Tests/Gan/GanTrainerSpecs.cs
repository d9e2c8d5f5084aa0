using System.Diagnostics;
using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Gan;
using Xunit.Abstractions;

namespace Experiments.Training.Tests.Gan;

[Collection(GanCollection.Name)]
public class GanTrainerSpecs(GanFixture fixture, ITestOutputHelper output)
{
    private static readonly GanHyperParameters Small = GanHyperParameters.Default with { BatchSize = 64, ZSize = 64 };
    private const int TrainingDigits = 9000;
    private static readonly int[] HeldOut = Enumerable.Range(TrainingDigits, 1000).ToArray();

    private static int[] Batch(int step, int size) =>
        Enumerable.Range(0, size).Select(i => (step * size + i) % TrainingDigits).ToArray();

    private GanTrainer NewTrainer(int seed, GanHyperParameters? hp = null)
    {
        TorchRuntime.UseThreads(1);
        return new GanTrainer(fixture.Digits, hp ?? Small, seed, fixture.LoadClassifier());
    }

    [Fact]
    public void Should_bring_the_fid_below_half_of_the_untrained_generators_after_a_short_training()
    {
        using var trainer = NewTrainer(seed: 1);
        var untrained = trainer.Evaluate(HeldOut);
        const int steps = 600;
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++) trainer.TrainStep(Batch(s, 64));
        var stepsPerSecond = steps / clock.Elapsed.TotalSeconds;
        var trained = trainer.Evaluate(HeldOut);
        output.WriteLine($"FID untrained {untrained[ModelCatalog.Metrics.Fid]:F2}, after {steps} steps {trained[ModelCatalog.Metrics.Fid]:F2}; " +
                         $"coverage {untrained[ModelCatalog.Metrics.ClassCoverage]:F3} → {trained[ModelCatalog.Metrics.ClassCoverage]:F3}, " +
                         $"classes {untrained[GanTrainer.ClassesSeen]} → {trained[GanTrainer.ClassesSeen]}; {stepsPerSecond:F1} steps/s");
        Assert.True(trained[ModelCatalog.Metrics.Fid] < untrained[ModelCatalog.Metrics.Fid] / 2,
            $"FID {trained[ModelCatalog.Metrics.Fid]} after training, {untrained[ModelCatalog.Metrics.Fid]} untrained");
    }
}
