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
    public HttpClient Http { get; }
    public int Id => _process.Id;

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
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

    public static ServiceProcess Start(string resultsDirectory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [ProgramPath(), "serve", "--results", resultsDirectory, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(process, port);
    }

    public async Task WaitHealthyAsync()
    {
        await Eventually.Async(async () =>
        {
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

    private static int FreePort()
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
