using System.Diagnostics;
using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Gan;
using SkiaSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Gan;

[Collection(GanCollection.Name)]
public class GanTrainerSpecs(GanFixture fixture, ITestOutputHelper output)
{
    private static readonly GanHyperParameters Small = GanHyperParameters.Default with { BatchSize = 64, ZSize = 64 };
    private static readonly GanHyperParameters Narrow = Small with { Width = 0.25 };
    private const int TrainingDigits = 9000;
    private static readonly int[] HeldOut = Enumerable.Range(TrainingDigits, 1000).ToArray();
    private const string Fid = GanModel.Metrics.Fid;

    private static int[] Batch(int step, int size = 64) =>
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
        for (var s = 0; s < steps; s++) trainer.TrainStep(Batch(s));
        var stepsPerSecond = steps / clock.Elapsed.TotalSeconds;
        var trained = trainer.Evaluate(HeldOut);
        output.WriteLine($"FID untrained {untrained[Fid]:F2}, after {steps} steps {trained[Fid]:F2}; " +
                         $"coverage {untrained[GanModel.Metrics.ClassCoverage]:F3} → {trained[GanModel.Metrics.ClassCoverage]:F3}, " +
                         $"classes {untrained[GanTrainer.ClassesSeen]} → {trained[GanTrainer.ClassesSeen]}; {stepsPerSecond:F1} steps/s");
        Assert.True(trained[Fid] < untrained[Fid] / 2, $"FID {trained[Fid]} after training, {untrained[Fid]} untrained");
    }

    [Fact]
    public void Should_measure_real_against_held_out_real_digits_as_near_zero_next_to_the_untrained_generator()
    {
        using var trainer = NewTrainer(seed: 1);
        var untrained = trainer.Evaluate(HeldOut)[Fid];
        using var classifier = fixture.LoadClassifier();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (training, _) = fixture.Digits.Batch(Enumerable.Range(0, 1000).ToArray());
        var (heldOut, _) = fixture.Digits.Batch(HeldOut);
        var realToReal = FrechetDistance.Between(classifier.Features(training), classifier.Features(heldOut));
        output.WriteLine($"FID real vs held-out real {realToReal:F3}, untrained generator {untrained:F2}");
        Assert.True(realToReal < 0.05 * untrained, $"real vs real {realToReal}, untrained {untrained}");
    }

    [Fact]
    public void Should_report_fid_and_class_coverage_for_the_generated_digits()
    {
        using var trainer = NewTrainer(seed: 2, Narrow);
        var metrics = trainer.Evaluate(HeldOut[..200]);
        Assert.Equal([GanModel.Metrics.ClassCoverage, GanTrainer.ClassesSeen, Fid], metrics.Keys.Order());
        Assert.True(metrics[Fid] > 0);
        Assert.InRange(metrics[GanModel.Metrics.ClassCoverage], 0, 1);
        Assert.InRange(metrics[GanTrainer.ClassesSeen], 1, 10);
    }

    [Fact]
    public void Should_return_discriminator_and_generator_losses_from_a_step()
    {
        using var trainer = NewTrainer(seed: 2, Narrow);
        var losses = trainer.TrainStep(Batch(0));
        Assert.Equal([GanModel.Metrics.DiscriminatorLoss, GanModel.Metrics.GeneratorLoss], losses.Keys.Order());
        Assert.All(losses.Values, v => Assert.True(double.IsFinite(v) && v > 0, $"loss {v}"));
    }

    [Fact]
    public void Should_give_identical_weights_and_losses_for_the_same_seed()
    {
        var (lossesA, weightsA) = TrainBriefly(seed: 5);
        var (lossesB, weightsB) = TrainBriefly(seed: 5);
        Assert.Equal(lossesA, lossesB);
        Assert.Equal(weightsA, weightsB);
    }

    [Fact]
    public void Should_give_different_weights_for_different_seeds()
    {
        var (_, weightsA) = TrainBriefly(seed: 5, steps: 0);
        var (_, weightsB) = TrainBriefly(seed: 6, steps: 0);
        Assert.NotEqual(weightsA, weightsB);
    }

    private (double[] Losses, float[] Weights) TrainBriefly(int seed, int steps = 5)
    {
        using var trainer = NewTrainer(seed, Narrow);
        var losses = Enumerable.Range(0, steps).SelectMany(s => trainer.TrainStep(Batch(s)).OrderBy(kv => kv.Key).Select(kv => kv.Value)).ToArray();
        return (losses, Weights(trainer));
    }

    private static float[] Weights(GanTrainer trainer) =>
        trainer.Generator.parameters().Concat(trainer.Discriminator.parameters())
            .SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void Should_scale_every_hidden_width_by_the_width_multiplier_and_keep_at_least_one_unit()
    {
        Assert.Equal(32, Narrow.Scaled(128));
        Assert.Equal(1, (Small with { Width = 0.05 }).Scaled(8));
        using var trainer = NewTrainer(seed: 1, Narrow);
        var generatorWeights = trainer.Generator.parameters().Where(p => p.ndim == 2).Select(p => p.shape).ToArray();
        Assert.Equal([[32, 64], [64, 32], [128, 64], [256, 128], [784, 256]], generatorWeights);
        var discriminatorWeights = trainer.Discriminator.parameters().Where(p => p.ndim == 2).Select(p => p.shape).ToArray();
        Assert.Equal([[256, 784], [128, 256], [64, 128], [1, 64]], discriminatorWeights);
    }

    [Fact]
    public void Should_generate_images_in_the_tanh_range_shaped_as_digits()
    {
        using var trainer = NewTrainer(seed: 1, Narrow);
        using var scope = NewDisposeScope();
        var images = trainer.Generator.forward(randn(3, Narrow.ZSize));
        Assert.Equal([3, 1, 28, 28], images.shape);
        Assert.True(images.abs().max().item<float>() <= 1);
    }

    [Fact]
    public void Should_write_a_ten_by_ten_png_grid_that_decodes_and_is_not_blank()
    {
        using var dir = new TempDir();
        using var trainer = NewTrainer(seed: 1, Narrow);
        var written = trainer.WriteArtifacts(dir.Path, epoch: 7);

        Assert.Equal([dir.File("samples-epoch-007.png")], written);
        using var bitmap = SKBitmap.Decode(written[0]);
        Assert.NotNull(bitmap);
        Assert.Equal(10 * 28 + 11 * 2, bitmap.Width);
        Assert.Equal(bitmap.Width, bitmap.Height);
        var cellPixels = Enumerable.Range(0, 28).SelectMany(y => Enumerable.Range(0, 28).Select(x => bitmap.GetPixel(2 + x, 2 + y).Red)).ToArray();
        Assert.True(cellPixels.Distinct().Count() > 10, "the first cell holds a near-uniform picture");
        Assert.Equal(["samples-epoch-007.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Should_draw_the_grid_from_the_same_noise_every_time()
    {
        using var dir = new TempDir();
        using var trainer = NewTrainer(seed: 1, Narrow);
        trainer.WriteSampleGrid(dir.File("a.png"));
        trainer.Evaluate(HeldOut[..100]);
        trainer.WriteSampleGrid(dir.File("b.png"));
        Assert.Equal(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
    }

    [Fact]
    public void Should_replace_a_larger_existing_grid_with_a_valid_png()
    {
        using var dir = new TempDir();
        var path = dir.File("samples.png");
        File.WriteAllBytes(path, new byte[1 << 20]);
        using var trainer = NewTrainer(seed: 1, Narrow);
        trainer.WriteSampleGrid(path);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.True(new FileInfo(path).Length < 1 << 20);
    }

    [Fact]
    public void Should_resume_bit_exactly_from_a_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var original = NewTrainer(seed: 3, Narrow);
        for (var s = 0; s < 5; s++) original.TrainStep(Batch(s));
        original.SaveCheckpoint(path, new CheckpointMeta("gan", 1, 5, new Dictionary<string, double> { [Fid] = 42.5 }));

        // Run the original on first, then the resumed copy: same steps, same noise, same numbers.
        var expected = Enumerable.Range(5, 3).Select(s => original.TrainStep(Batch(s))).ToArray();
        var expectedMetrics = original.Evaluate(HeldOut[..200]);
        var expectedWeights = Weights(original);

        using var resumed = NewTrainer(seed: 99, Narrow);
        var meta = resumed.LoadCheckpoint(path);
        Assert.Equal(("gan", 1, 5L, 42.5), (meta.Model, meta.Epoch, meta.Step, meta.Metrics[Fid]));
        Assert.Equal(expected, Enumerable.Range(5, 3).Select(s => resumed.TrainStep(Batch(s))).ToArray());
        Assert.Equal(expectedWeights, Weights(resumed));
        Assert.Equal(expectedMetrics[GanModel.Metrics.ClassCoverage], resumed.Evaluate(HeldOut[..200])[GanModel.Metrics.ClassCoverage]);
    }

    [Fact]
    public void Should_detect_an_altered_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var trainer = NewTrainer(seed: 3, Narrow);
        trainer.SaveCheckpoint(path, new CheckpointMeta("gan", 0, 0, new Dictionary<string, double>()));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("SHA-256 does not match", error.Message);
    }

    [Fact]
    public void Should_detect_a_truncated_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var trainer = NewTrainer(seed: 3, Narrow);
        trainer.SaveCheckpoint(path, new CheckpointMeta("gan", 0, 0, new Dictionary<string, double>()));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var error = Assert.Throws<CheckpointException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains("truncated or altered", error.Message);
    }

    [Fact]
    public void Should_keep_memory_flat_over_hundreds_of_steps()
    {
        using var trainer = NewTrainer(seed: 4);
        for (var s = 0; s < 50; s++) trainer.TrainStep(Batch(s));
        var before = CurrentRss();
        for (var s = 0; s < 400; s++) trainer.TrainStep(Batch(s));
        var growth = CurrentRss() - before;
        output.WriteLine($"RSS grew by {growth >> 20} MiB over 400 steps");
        Assert.True(growth < 64L << 20, $"RSS grew by {growth >> 20} MiB over 400 steps");
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
