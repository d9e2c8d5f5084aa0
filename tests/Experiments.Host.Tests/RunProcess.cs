using System.Diagnostics;

namespace Experiments.Host.Tests;

/// <summary>The real `experiments run` program as a child process, its console lines watched as they come.</summary>
public sealed class RunProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = new();
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource Seen)> _awaited = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunProcess(string specFile, string resultsDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [ServiceProcess.ProgramPath(), "run", specFile, "--results", resultsDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _exited.TrySetResult();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static RunProcess Start(string specFile, string resultsDirectory) => new(specFile, resultsDirectory);

    public string Output
    {
        get { lock (_gate) return string.Join("\n", _lines); }
    }

    /// <summary>Completes when a line matching <paramref name="matches"/> has been printed, or when the process has exited.</summary>
    public Task LineMatching(Func<string, bool> matches)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.Any(matches)) return Task.CompletedTask;
            _awaited.Add((matches, seen));
        }
        return Task.WhenAny(seen.Task, _exited.Task);
    }

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>SIGKILL (what .NET's Process.Kill sends on Linux): no shutdown hook runs. The program is one process (dotnet runs it in-process).</summary>
    public void KillHard()
    {
        try { _process.Kill(); }
        catch (InvalidOperationException) { } // it had exited already
    }

    /// <summary>The exit code, once the process has exited (and printed its last line) within <paramref name="within"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"run did not exit within {within}; it printed:\n{Output}");
        }
        return _process.ExitCode;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        List<TaskCompletionSource> seen;
        lock (_gate)
        {
            _lines.Add(line);
            seen = _awaited.Where(a => a.Matches(line)).Select(a => a.Seen).ToList();
            _awaited.RemoveAll(a => a.Matches(line));
        }
        foreach (var s in seen) s.TrySetResult();
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
