using System.Globalization;

namespace Experiments.Bench;

/// <summary>
/// Where a process's CPU time went, per thread, from Linux's scheduler statistics
/// (/proc/self/task/*/schedstat: nanoseconds on a CPU and waiting for one). Threads come and go
/// (a trainer's pinned thread ends with its trial), so a background sampler keeps the last
/// reading of every thread it has seen; a thread's last ~200 ms may be missed.
/// </summary>
public sealed class ThreadCpu : IDisposable
{
    private readonly Dictionary<int, (string Name, long RunNs, long WaitNs)> _first = new();
    private readonly Dictionary<int, (string Name, long RunNs, long WaitNs)> _last = new();
    private readonly Thread _sampler;
    private volatile bool _stopping;
    private long _maxTimers;
    private readonly TimeSpan _gcPauseAtStart = GC.GetTotalPauseDuration();
    private readonly long _jittedAtStart = System.Runtime.JitInfo.GetCompiledMethodCount();
    private readonly TimeSpan _jitTimeAtStart = System.Runtime.JitInfo.GetCompilationTime();
    private readonly int[] _collectionsAtStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    public ThreadCpu()
    {
        Sample(_first);
        _sampler = new Thread(() =>
        {
            while (!_stopping)
            {
                Sample(_last);
                _maxTimers = Math.Max(_maxTimers, Timer.ActiveCount);
                Thread.Sleep(200);
            }
        }) { IsBackground = true, Name = "cpu-sampler" };
        _sampler.Start();
    }

    private static void Sample(Dictionary<int, (string, long, long)> into)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                into[tid] = (name, long.Parse(stat[0], CultureInfo.InvariantCulture), long.Parse(stat[1], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }
    }

    /// <summary>Stops sampling and prints CPU seconds by thread group, then timers, JIT and GC since the start.</summary>
    public void Report(TextWriter output, Func<string, string> groupOf)
    {
        Dispose();
        Sample(_last);
        var groups = _last
            .Select(kv => (Group: groupOf(kv.Value.Name), Run: kv.Value.RunNs - _first.GetValueOrDefault(kv.Key).RunNs,
                           Wait: kv.Value.WaitNs - _first.GetValueOrDefault(kv.Key).WaitNs))
            .GroupBy(t => t.Group)
            .Select(g => (g.Key, Threads: g.Count(), Run: g.Sum(t => t.Run) / 1e9, Wait: g.Sum(t => t.Wait) / 1e9))
            .OrderByDescending(g => g.Run);
        output.WriteLine("| threads | count | CPU s | waiting for a CPU s |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (var (group, threads, run, wait) in groups)
            output.WriteLine($"| {group} | {threads} | {run:0.00} | {wait:0.00} |");
        var collections = string.Join(" / ", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - _collectionsAtStart[g]));
        output.WriteLine($"timers: at most {_maxTimers} active");
        output.WriteLine($"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount() - _jittedAtStart} methods compiled in {(System.Runtime.JitInfo.GetCompilationTime() - _jitTimeAtStart).TotalSeconds:0.00} s");
        output.WriteLine($"GC: collections gen0/1/2 {collections}, paused {(GC.GetTotalPauseDuration() - _gcPauseAtStart).TotalSeconds:0.00} s");
    }

    public void Dispose()
    {
        _stopping = true;
        if (_sampler.IsAlive && Thread.CurrentThread != _sampler) _sampler.Join();
    }
}
