namespace Experiments.Core.Scheduling;

/// <summary>
/// How long a sweep has left: the mean duration of the trial-folds that finished, times the
/// number left, spread over the slots that can run them at once. Unknown until one has finished.
/// Pure: the caller measures the durations.
/// </summary>
public sealed class TimeLeftEstimator
{
    private TimeSpan _total;
    private int _finished;

    public int Finished => _finished;

    public void RecordFinished(TimeSpan duration)
    {
        _total += duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        _finished++;
    }

    /// <summary>Null (unknown) before the first trial-fold ends; zero when none is left.</summary>
    public TimeSpan? Estimate(int left, int concurrency)
    {
        if (left <= 0) return TimeSpan.Zero;
        if (_finished == 0) return null;
        // Fewer left than slots: they run side by side, so the sweep waits about one mean duration.
        var slots = Math.Clamp(concurrency, 1, left);
        return _total / _finished * left / slots;
    }

    /// <summary>"about 3m 20s left", "about 1h 05m left", "time left unknown".</summary>
    public static string Describe(TimeSpan? left) => left switch
    {
        null => "time left unknown",
        { TotalHours: >= 1 } t => $"about {(int)t.TotalHours}h {t.Minutes:00}m left",
        { TotalMinutes: >= 1 } t => $"about {t.Minutes}m {t.Seconds:00}s left",
        var t => $"about {Math.Ceiling(t.Value.TotalSeconds):0}s left",
    };
}
