using Experiments.Core.Spec;
using Experiments.Core.Trials;
using FsCheck.Xunit;
using Experiments.Training.Cnn;

namespace Experiments.Core.Tests.Trials;

public sealed class EarlyStoppingSpecs
{
    private static EarlyStoppingSpec Spec(int patience = 3, double minDelta = 0, OptimizationMode mode = OptimizationMode.Min, bool enabled = true) =>
        new(enabled, CnnModel.Metrics.ValLoss, mode, patience, minDelta);

    [Fact]
    public void Should_not_stop_before_more_than_patience_epochs_were_seen()
    {
        Assert.False(EarlyStopping.ShouldStop([1.0, 1.0, 1.0], Spec(patience: 3)));
    }

    [Fact]
    public void Should_stop_after_patience_epochs_without_improvement()
    {
        Assert.True(EarlyStopping.ShouldStop([1.0, 1.0, 1.0, 1.0], Spec(patience: 3)));
        Assert.True(EarlyStopping.ShouldStop([0.5, 0.4, 0.6, 0.7], Spec(patience: 2)));
    }

    [Fact]
    public void Should_count_patience_from_the_last_improvement()
    {
        Assert.False(EarlyStopping.ShouldStop([1.0, 1.1, 1.1, 0.9, 1.0, 1.0], Spec(patience: 3)));
        Assert.True(EarlyStopping.ShouldStop([1.0, 1.1, 1.1, 0.9, 1.0, 1.0, 1.0], Spec(patience: 3)));
    }

    [Fact]
    public void Should_not_count_improvements_smaller_than_min_delta()
    {
        double[] creeping = [1.0, 0.99, 0.98, 0.97];
        Assert.True(EarlyStopping.ShouldStop(creeping, Spec(patience: 3, minDelta: 0.05)));
        Assert.False(EarlyStopping.ShouldStop(creeping, Spec(patience: 3, minDelta: 0)));
    }

    [Fact]
    public void Should_not_count_an_improvement_of_exactly_min_delta()
    {
        Assert.False(EarlyStopping.Improves(0.5, 1.0, OptimizationMode.Min, minDelta: 0.5));
        Assert.True(EarlyStopping.Improves(0.25, 1.0, OptimizationMode.Min, minDelta: 0.5));
        Assert.False(EarlyStopping.Improves(1.5, 1.0, OptimizationMode.Max, minDelta: 0.5));
        Assert.True(EarlyStopping.Improves(1.75, 1.0, OptimizationMode.Max, minDelta: 0.5));
    }

    [Fact]
    public void Should_treat_rising_values_as_improvement_in_max_mode()
    {
        double[] rising = [0.5, 0.6, 0.7, 0.8, 0.9];
        double[] falling = [0.9, 0.8, 0.7, 0.6];
        Assert.False(EarlyStopping.ShouldStop(rising, Spec(patience: 2, mode: OptimizationMode.Max)));
        Assert.True(EarlyStopping.ShouldStop(rising, Spec(patience: 2, mode: OptimizationMode.Min)));
        Assert.True(EarlyStopping.ShouldStop(falling, Spec(patience: 3, mode: OptimizationMode.Max)));
        Assert.False(EarlyStopping.ShouldStop(falling, Spec(patience: 3, mode: OptimizationMode.Min)));
    }

    [Fact]
    public void Should_never_stop_when_disabled()
    {
        Assert.False(EarlyStopping.ShouldStop(Enumerable.Repeat(1.0, 50).ToList(), Spec(patience: 1, enabled: false)));
    }

    [Fact]
    public void Should_find_the_earliest_best_epoch_counted_from_one()
    {
        Assert.Equal<(double, int)?>((0.5, 2), EarlyStopping.Best([0.9, 0.5, 0.7, 0.5], OptimizationMode.Min));
        Assert.Equal<(double, int)?>((0.9, 1), EarlyStopping.Best([0.9, 0.5, 0.7, 0.9], OptimizationMode.Max));
        Assert.Null(EarlyStopping.Best([], OptimizationMode.Min));
    }

    /// <summary>A history that improves by more than min-delta every epoch, built from arbitrary step sizes.</summary>
    private static List<double> StrictlyImproving(int[] steps, double minDelta, OptimizationMode mode)
    {
        var value = 10.0;
        var history = new List<double> { value };
        foreach (var step in steps)
        {
            var size = minDelta + 0.001 * (1 + Math.Abs(step % 1000));
            value += mode == OptimizationMode.Min ? -size : size;
            history.Add(value);
        }
        return history;
    }

    [Property(MaxTest = 300)]
    public bool A_strictly_improving_history_never_stops(int[] steps, byte patience, bool maximise)
    {
        var mode = maximise ? OptimizationMode.Max : OptimizationMode.Min;
        var spec = Spec(patience: 1 + patience % 5, minDelta: 0.01, mode: mode);
        var history = StrictlyImproving(steps, 0.01, mode);
        return Enumerable.Range(1, history.Count).All(n => !EarlyStopping.ShouldStop(history.Take(n).ToList(), spec));
    }

    [Property(MaxTest = 300)]
    public bool A_flat_history_longer_than_patience_always_stops(byte patience, byte extra, bool maximise)
    {
        var p = 1 + patience % 10;
        var history = Enumerable.Repeat(0.5, p + 1 + extra % 10).ToList();
        return EarlyStopping.ShouldStop(history, Spec(patience: p, mode: maximise ? OptimizationMode.Max : OptimizationMode.Min));
    }
}
