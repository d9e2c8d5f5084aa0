using Experiments.Core.Spec;
using Experiments.Training.Cnn;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Tests.Cnn;

[Collection(DigitsCollection.Name)]
public class TrialDropoutSpecs(DefaultDigitsFixture fixture)
{
    private static readonly CnnHyperParameters WithDropout = CnnHyperParameters.Default with { Hidden = 32, BatchSize = 64, Dropout = 0.4 };

    private static int[] Batch(int step) => Enumerable.Range(step * 64, 64).ToArray();

    /// <summary>Train losses of a few steps, on whatever thread calls it.</summary>
    private double[] TrainLosses(int seed)
    {
        TorchRuntime.UseThreads(1);
        using var trainer = new CnnTrainer(fixture.Digits, WithDropout, seed);
        return Enumerable.Range(0, 12).Select(s => trainer.TrainStep(Batch(s))[CnnModel.Metrics.TrainLoss]).ToArray();
    }

    private static T OnOwnThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }

    [Fact]
    public void Should_train_bit_identically_with_dropout_when_two_trials_run_at_once()
    {
        var aloneA = OnOwnThread(() => TrainLosses(11));
        var aloneB = OnOwnThread(() => TrainLosses(12));

        // Both at once, each on its own thread (as the pinned trainer dispatcher runs them), several
        // times: with torch's process-wide generator their dropout draws would interleave.
        for (var round = 0; round < 3; round++)
        {
            double[] a = [], b = [];
            var threadA = new Thread(() => a = TrainLosses(11));
            var threadB = new Thread(() => b = TrainLosses(12));
            threadA.Start();
            threadB.Start();
            threadA.Join();
            threadB.Join();
            Assert.Equal(aloneA, a);
            Assert.Equal(aloneB, b);
        }
    }

    [Fact]
    public void Should_draw_the_same_masks_from_the_same_seed_and_different_ones_from_another()
    {
        TorchRuntime.EnsureLoaded();
        using var input = ones(8, 100);
        Tensor Masked(ulong seed)
        {
            using var noise = new torch.Generator(seed);
            using var dropout = new TrialDropout(0.5, noise);
            dropout.train();
            return dropout.forward(input);
        }
        using var first = Masked(7);
        using var again = Masked(7);
        using var other = Masked(8);
        Assert.True(first.equal(again).all().item<bool>());
        Assert.False(first.equal(other).all().item<bool>());
    }

    [Fact]
    public void Should_keep_values_with_probability_one_minus_rate_and_scale_them()
    {
        TorchRuntime.EnsureLoaded();
        using var noise = new torch.Generator(3);
        using var dropout = new TrialDropout(0.25, noise);
        dropout.train();
        using var input = ones(200, 500);
        using var output = dropout.forward(input);
        var values = output.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.75f) < 1e-6, $"value {v}"));
        var kept = values.Count(v => v != 0f) / (double)values.Length;
        Assert.InRange(kept, 0.74, 0.76); // 100,000 draws: the standard error is 0.0014
    }

    [Fact]
    public void Should_pass_values_through_unchanged_in_evaluation()
    {
        TorchRuntime.EnsureLoaded();
        using var noise = new torch.Generator(3);
        using var dropout = new TrialDropout(0.5, noise);
        dropout.eval();
        using var input = rand(4, 10);
        using var output = dropout.forward(input);
        Assert.True(output.equal(input).all().item<bool>());
    }
}
