using Experiments.Core.Scheduling;

namespace Experiments.Core.Tests.Scheduling;

/// <summary>The estimated time left shown with a sweep's progress.</summary>
public sealed class TimeLeftEstimatorSpecs
{
    [Fact]
    public void Should_be_unknown_before_the_first_trial_fold_ends()
    {
        var estimator = new TimeLeftEstimator();
        Assert.Null(estimator.Estimate(left: 8, concurrency: 2));
        Assert.Equal("time left unknown", TimeLeftEstimator.Describe(estimator.Estimate(8, 2)));
    }

    [Fact]
    public void Should_spread_the_mean_duration_of_those_left_over_the_concurrent_slots()
    {
        var estimator = new TimeLeftEstimator();
        estimator.RecordFinished(TimeSpan.FromSeconds(30));
        estimator.RecordFinished(TimeSpan.FromSeconds(50));
        Assert.Equal(TimeSpan.FromSeconds(200), estimator.Estimate(left: 10, concurrency: 2));
        Assert.Equal(TimeSpan.FromSeconds(400), estimator.Estimate(left: 10, concurrency: 1));
    }

    [Fact]
    public void Should_use_no_more_slots_than_trial_folds_left()
    {
        var estimator = new TimeLeftEstimator();
        estimator.RecordFinished(TimeSpan.FromSeconds(40));
        Assert.Equal(TimeSpan.FromSeconds(40), estimator.Estimate(left: 1, concurrency: 4));
        Assert.Equal(TimeSpan.FromSeconds(40), estimator.Estimate(left: 3, concurrency: 4));
    }

    [Fact]
    public void Should_be_zero_when_nothing_is_left_even_before_any_ended()
    {
        Assert.Equal(TimeSpan.Zero, new TimeLeftEstimator().Estimate(left: 0, concurrency: 2));
    }

    [Fact]
    public void Should_treat_a_zero_concurrency_as_one_slot()
    {
        var estimator = new TimeLeftEstimator();
        estimator.RecordFinished(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), estimator.Estimate(left: 3, concurrency: 0));
    }

    [Theory]
    [InlineData(200, "about 3m 20s left")]
    [InlineData(3900, "about 1h 05m left")]
    [InlineData(42.3, "about 43s left")]
    [InlineData(0, "about 0s left")]
    [InlineData(60, "about 1m 00s left")]
    public void Should_describe_the_time_left_for_people(double seconds, string expected) =>
        Assert.Equal(expected, TimeLeftEstimator.Describe(TimeSpan.FromSeconds(seconds)));
}
