using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace Experiments.Host;

/// <summary>One log event of a sweep as the API serves it: rendered for people, numbered for paging.</summary>
public sealed record RecentEvent(long Seq, DateTimeOffset Time, string Level, string Message, int? TrialId, int? Fold, int? Epoch, string? Error);

/// <summary>
/// A Serilog sink that keeps the most recent events of each sweep (those carrying a SweepId) in
/// memory for `GET /sweeps/{name}/logs` and `experiments logs`. The CLEF files stay the record;
/// this is the live tail, bounded per sweep so a long service does not grow.
/// </summary>
public sealed class RecentEvents(int perSweep = 2000) : ILogEventSink
{
    // As the console shows it: strings without quotes.
    private static readonly MessageTemplateTextFormatter Rendering = new("{Message:lj}");
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<RecentEvent>> _bySweep = new(StringComparer.Ordinal);
    private long _seq;

    public void Emit(LogEvent logEvent)
    {
        if (Text(logEvent, "SweepId") is not { } sweep) return;
        lock (_gate)
        {
            var queue = _bySweep.TryGetValue(sweep, out var q) ? q : _bySweep[sweep] = new Queue<RecentEvent>();
            queue.Enqueue(new RecentEvent(++_seq, logEvent.Timestamp, logEvent.Level.ToString(), Render(logEvent),
                Number(logEvent, "TrialId"), Number(logEvent, "Fold"), Number(logEvent, "Epoch"), logEvent.Exception?.Message));
            while (queue.Count > perSweep) queue.Dequeue();
        }
    }

    /// <summary>The sweep's events numbered above <paramref name="after"/>, oldest first, at most <paramref name="limit"/> (the newest ones).</summary>
    public IReadOnlyList<RecentEvent> Of(string sweep, long after, int limit)
    {
        lock (_gate)
        {
            if (!_bySweep.TryGetValue(sweep, out var queue)) return [];
            var newer = queue.Where(e => e.Seq > after).ToList();
            return newer.Skip(Math.Max(0, newer.Count - limit)).ToList();
        }
    }

    private static string Render(LogEvent e)
    {
        using var text = new StringWriter();
        Rendering.Format(e, text);
        return text.ToString();
    }

    private static string? Text(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } v } ? v.ToString() : null;

    private static int? Number(LogEvent e, string name) =>
        int.TryParse(Text(e, name), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
