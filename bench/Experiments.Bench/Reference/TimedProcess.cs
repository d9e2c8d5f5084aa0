using System.Diagnostics;

namespace Experiments.Bench.Reference;

/// <summary>A child process's output and when it said what: seconds from just before its start to each line.</summary>
public sealed record ProcessRun(int ExitCode, DateTime StartedUtc, double Seconds, IReadOnlyList<(double Seconds, string Line)> Lines)
{
    /// <summary>The first line starting with <paramref name="prefix"/>, and when it came; null when none did.</summary>
    public (double Seconds, string Line)? First(string prefix) =>
        Lines.FirstOrDefault(l => l.Line.StartsWith(prefix, StringComparison.Ordinal)) is { Line: not null } hit ? hit : null;

    public string Tail(int lines = 30) => string.Join(Environment.NewLine, Lines.TakeLast(lines).Select(l => l.Line));
}

/// <summary>Runs a program to its end, timestamping every line of its output (stdout and stderr).</summary>
public static class TimedProcess
{
    public static ProcessRun Run(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var lines = new List<(double, string)>();
        var clock = new Stopwatch();
        using var process = new Process { StartInfo = info };
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (lines) lines.Add((clock.Elapsed.TotalSeconds, e.Data));
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        var started = DateTime.UtcNow;
        clock.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        lock (lines) return new ProcessRun(process.ExitCode, started, seconds, lines.ToList());
    }
}
