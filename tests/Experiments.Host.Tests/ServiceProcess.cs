using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Experiments.Host.Tests;

/// <summary>The real `experiments serve` program as a child process, on a free loopback port.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    public HttpClient Http { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the program wrote to stdout and stderr so far.</summary>
    public string Output => string.Join("\n", _output);

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The program built beside this test assembly's referenced project.</summary>
    public static string ProgramPath()
    {
        // tests/Experiments.Host.Tests/bin/<config>/<tfm>/<rid>/ → src/Experiments.Host/bin/<config>/<tfm>/<rid>/experiments.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var rid = here.Name;
        var tfm = here.Parent!.Name;
        var config = here.Parent.Parent!.Name;
        var root = here.Parent.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "src", "Experiments.Host", "bin", config, tfm, rid, "experiments.dll");
    }

    public static ServiceProcess Start(string resultsDirectory) => Start(resultsDirectory, FreePort());

    public static ServiceProcess Start(string resultsDirectory, int port, string? urls = null) =>
        StartProgram(port, "serve", "--results", resultsDirectory, "--urls", urls ?? $"http://127.0.0.1:{port}");

    /// <summary>`serve` on loopback with EXPERIMENTS_API_TOKEN set: every request must then carry it.</summary>
    public static ServiceProcess StartWithToken(string resultsDirectory, string token)
    {
        var port = FreePort();
        return StartProgram(port, token, ["serve", "--results", resultsDirectory, "--urls", $"http://127.0.0.1:{port}"]);
    }

    /// <summary>Any verb of the program, its output collected; Http talks to 127.0.0.1:PORT.</summary>
    public static ServiceProcess StartProgram(int port, params string[] arguments) => StartProgram(port, token: null, arguments);

    private static ServiceProcess StartProgram(int port, string? token, string[] arguments) =>
        StartProgram(port, token is null ? new Dictionary<string, string>() : new() { ["EXPERIMENTS_API_TOKEN"] = token }, arguments);

    /// <summary>Any verb with these environment variables set (EXPERIMENTS_API_TOKEN and EXPERIMENTS_CLUSTER_SECRET only if given).</summary>
    public static ServiceProcess StartProgram(int port, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [ProgramPath(), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("EXPERIMENTS_API_TOKEN");
        start.Environment.Remove("EXPERIMENTS_CLUSTER_SECRET");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, port);
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) service._output.Enqueue(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) service._output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async Task WaitHealthyAsync()
    {
        await Eventually.Async(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"the service exited with code {_process.ExitCode}:\n{Output}");
            try { return (await Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromMinutes(2), () => $"service never became healthy (exited: {_process.HasExited})");
    }

    public async Task<JsonElement?> StatusAsync(string sweep)
    {
        var response = await Http.GetAsync($"/sweeps/{sweep}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        Http.Dispose();
    }
}

/// <summary>Waits on a condition, never on a fixed sleep.</summary>
public static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, TimeSpan within, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure());
            await Task.Delay(200);
        }
    }
}
