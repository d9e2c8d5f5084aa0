using System.Net.Http.Json;
using System.Text.Json;

namespace Experiments.Host.Tests;

/// <summary>A coordinator (`serve --cluster-port`) and its workers as real processes on 127.0.0.1 ports.</summary>
public sealed class ClusterNodes : IDisposable
{
    private readonly List<ServiceProcess> _workers = new();
    private readonly List<ServiceProcess> _killedCoordinators = new();
    private readonly Dictionary<string, string> _environment;
    private readonly string _results;
    private readonly int _localSlots;

    public ServiceProcess Coordinator { get; private set; }
    public int ClusterPort { get; }

    private ClusterNodes(string results, int localSlots, int clusterPort, Dictionary<string, string> environment)
    {
        _results = results;
        _localSlots = localSlots;
        ClusterPort = clusterPort;
        _environment = environment;
        Coordinator = StartCoordinator();
    }

    public static async Task<ClusterNodes> StartAsync(string results, string? secret = null, int localSlots = 0)
    {
        var environment = secret is null ? new Dictionary<string, string>() : new() { ["EXPERIMENTS_CLUSTER_SECRET"] = secret };
        var nodes = new ClusterNodes(results, localSlots, ServiceProcess.FreePort(), environment);
        await nodes.Coordinator.WaitHealthyAsync();
        return nodes;
    }

    /// <summary>`serve` on a fresh HTTP port, always on the same cluster port and results folder (so journal too).</summary>
    private ServiceProcess StartCoordinator()
    {
        var http = ServiceProcess.FreePort();
        return ServiceProcess.StartProgram(http, _environment,
            ["serve", "--results", _results, "--urls", $"http://127.0.0.1:{http}", "--cluster-port", ClusterPort.ToString(), "--local-slots", _localSlots.ToString()]);
    }

    /// <summary>SIGKILL to the coordinator (no shutdown hook runs), then the same coordinator again: same cluster port, results folder and journal.</summary>
    public async Task KillAndRestartCoordinatorAsync()
    {
        Coordinator.KillHard();
        await Coordinator.WaitForExitAsync();
        _killedCoordinators.Add(Coordinator);
        Coordinator = StartCoordinator();
        await Coordinator.WaitHealthyAsync();
    }

    /// <summary>A worker with one slot on a port of its own; its node name is 127.0.0.1:PORT.</summary>
    /// <param name="cache">The worker's cache folder (EXPERIMENTS_CACHE), where fetched IDX files are kept; null: the usual one.</param>
    public (ServiceProcess Process, string Node) StartWorker(int slots = 1, string? secret = null, string? cache = null, params string[] options)
    {
        var port = ServiceProcess.FreePort();
        var environment = new Dictionary<string, string>(secret is null ? _environment : new Dictionary<string, string> { ["EXPERIMENTS_CLUSTER_SECRET"] = secret });
        if (cache is not null) environment["EXPERIMENTS_CACHE"] = cache;
        var worker = ServiceProcess.StartProgram(port, environment,
            ["worker", "--join", $"127.0.0.1:{ClusterPort}", "--cluster-port", port.ToString(), "--slots", slots.ToString(), .. options]);
        _workers.Add(worker);
        return (worker, $"127.0.0.1:{port}");
    }

    public async Task<IReadOnlyList<string>> WorkerNodesAsync()
    {
        var workers = await Coordinator.Http.GetFromJsonAsync<JsonElement>("/workers");
        return workers.EnumerateArray().Select(w => w.GetProperty("node").GetString()!).ToList();
    }

    public Task WaitForWorkersAsync(params string[] nodes) => Eventually.Async(async () =>
        {
            var joined = await WorkerNodesAsync();
            return nodes.All(joined.Contains);
        }, TimeSpan.FromMinutes(2), () => $"workers {string.Join(", ", nodes)} never joined:\n{Coordinator.Output}");

    public Task WaitForStateAsync(string sweep, string state) => Eventually.Async(async () =>
        (await Coordinator.StatusAsync(sweep))?.GetProperty("state").GetString() == state,
        TimeSpan.FromMinutes(5), () => $"sweep {sweep} never reached {state}:\n{Coordinator.Output}");

    public Task WaitForOutputAsync(string text) => Eventually.Async(() => Task.FromResult(Coordinator.Output.Contains(text)),
        TimeSpan.FromMinutes(3), () => $"the coordinator never logged '{text}':\n{Coordinator.Output}");

    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
        foreach (var killed in _killedCoordinators) killed.Dispose();
        Coordinator.Dispose();
    }
}
