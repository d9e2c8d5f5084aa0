using System.Diagnostics;
using Experiments.Core.Folds;
using Experiments.Core.Spec;
using Experiments.Training.Checkpoints;
using Experiments.Training.Cnn;

namespace Experiments.Training.Tests.Cnn;

[Collection(DigitsCollection.Name)]
public class CnnTrainerSpecs(DefaultDigitsFixture fixture)
{
    private static readonly CnnHyperParameters Small = CnnHyperParameters.Default with { Hidden = 32, BatchSize = 64 };

    private static int[] Batch(int step, int size) => Enumerable.Range(step * size, size).ToArray();

    private IReadOnlyDictionary<string, double> TrainAndEvaluate(int seed, int steps)
    {
        TorchRuntime.UseThreads(1);
        using var trainer = new CnnTrainer(fixture.Digits, Small, seed);
        for (var s = 0; s < steps; s++) trainer.TrainStep(Batch(s, 64));
        return trainer.Evaluate(Enumerable.Range(9000, 500).ToArray());
    }

    [Fact]
    public void Should_give_identical_metrics_for_the_same_seed()
    {
        var a = TrainAndEvaluate(seed: 5, steps: 10);
        var b = TrainAndEvaluate(seed: 5, steps: 10);
        Assert.Equal(a[CnnModel.Metrics.ValLoss], b[CnnModel.Metrics.ValLoss]);
        Assert.Equal(a[CnnModel.Metrics.ValAccuracy], b[CnnModel.Metrics.ValAccuracy]);
    }

    [Fact]
    public void Should_capture_the_bytes_a_fresh_stream_writes_even_after_a_larger_capture_on_the_same_thread()
    {
        TorchRuntime.UseThreads(1);
        using var wide = new CnnTrainer(fixture.Digits, CnnHyperParameters.Default with { Hidden = 128, BatchSize = 64 }, 3);
        using var trainer = new CnnTrainer(fixture.Digits, Small, 3);
        trainer.TrainStep(Batch(0, 64));
        wide.CaptureState(); // leaves the thread's scratch stream longer than anything the small trainer writes

        var captured = trainer.CaptureState();

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) trainer.Model.save(writer);
        Assert.Equal(stream.ToArray(), captured["model"]);
        Assert.Equal(captured["optimizer"], trainer.CaptureState()["optimizer"]);
    }

    [Fact]
    public void Should_give_different_initial_weights_for_different_seeds()
    {
        using var a = new CnnTrainer(fixture.Digits, Small, 1);
        using var b = new CnnTrainer(fixture.Digits, Small, 2);
        Assert.False(a.Model.parameters().First().equal(b.Model.parameters().First()).all().item<bool>());
    }

    [Fact]
    public void Should_reach_ninety_percent_validation_accuracy_on_the_real_digits_within_one_epoch()
    {
        TorchRuntime.UseThreads(1);
        var split = FoldSplitter.Split(fixture.Digits.LabelArray, folds: 5, testFraction: 0, stratified: true, seed: 1);
        var fold = split.Folds[0];
        using var trainer = new CnnTrainer(fixture.Digits, CnnHyperParameters.Default, seed: 1);
        var order = fold.Train.ToArray();
        new Random(1).Shuffle(order);
        for (var start = 0; start + 64 <= order.Length; start += 64) trainer.TrainStep(order.AsSpan(start, 64));
        var metrics = trainer.Evaluate(fold.Validation);
        Assert.True(metrics[CnnModel.Metrics.ValAccuracy] >= 0.90, $"accuracy {metrics[CnnModel.Metrics.ValAccuracy]}");
    }

    [Fact]
    public void Should_resume_bit_exactly_from_a_checkpoint()
    {
        TorchRuntime.UseThreads(1);
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using IModelTrainer original = new CnnTrainer(fixture.Digits, Small with { Dropout = 0.3 }, 3);
        for (var s = 0; s < 5; s++) original.TrainStep(Batch(s, 64));
        original.SaveCheckpoint(path, new CheckpointMeta("cnn", 1, 5, new Dictionary<string, double> { ["val-loss"] = 1.5 }));

        var expected = Enumerable.Range(5, 3).Select(s => original.TrainStep(Batch(s, 64))["train-loss"]).ToArray();
        var expectedMetrics = original.Evaluate(Batch(100, 50));

        using IModelTrainer resumed = new CnnTrainer(fixture.Digits, Small with { Dropout = 0.3 }, 99);
        var meta = resumed.LoadCheckpoint(path);
        Assert.Equal(1, meta.Epoch);
        Assert.Equal(5, meta.Step);
        Assert.Equal(1.5, meta.Metrics["val-loss"]);
        Assert.Equal(expected, Enumerable.Range(5, 3).Select(s => resumed.TrainStep(Batch(s, 64))["train-loss"]).ToArray());
        Assert.Equal(expectedMetrics, resumed.Evaluate(Batch(100, 50)));
    }

    [Fact]
    public void Should_detect_a_truncated_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var cnn = new CnnTrainer(fixture.Digits, Small, 3);
        IModelTrainer trainer = cnn;
        trainer.SaveCheckpoint(path, new CheckpointMeta("cnn", 0, 0, new Dictionary<string, double>()));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated or altered", error.Message);
    }

    [Fact]
    public void Should_detect_an_altered_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var cnn = new CnnTrainer(fixture.Digits, Small, 3);
        IModelTrainer trainer = cnn;
        trainer.SaveCheckpoint(path, new CheckpointMeta("cnn", 0, 0, new Dictionary<string, double>()));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains("SHA-256 does not match", error.Message);
    }

    [Fact]
    public void Should_write_a_sha256_beside_the_checkpoint_and_leave_no_temporary_file()
    {
        using var dir = new TempDir();
        var path = dir.File("last.ckpt");
        using var cnn = new CnnTrainer(fixture.Digits, Small, 3);
        IModelTrainer trainer = cnn;
        trainer.SaveCheckpoint(path, new CheckpointMeta("cnn", 0, 0, new Dictionary<string, double>()));
        var digest = File.ReadAllText(path + ".sha256");
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal($"{actual}  last.ckpt\n", digest);
        Assert.Equal(["last.ckpt", "last.ckpt.sha256"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Should_keep_memory_flat_over_hundreds_of_steps()
    {
        TorchRuntime.UseThreads(1);
        using var trainer = new CnnTrainer(fixture.Digits, Small, 4);
        for (var s = 0; s < 50; s++) trainer.TrainStep(Batch(s % 150, 64));
        var before = CurrentRss();
        for (var s = 0; s < 400; s++) trainer.TrainStep(Batch(s % 150, 64));
        var growth = CurrentRss() - before;
        Assert.True(growth < 64L << 20, $"RSS grew by {growth >> 20} MiB over 400 steps");
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
