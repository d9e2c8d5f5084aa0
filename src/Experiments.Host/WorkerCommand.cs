using Akka.Actor;
using Akka.Configuration;
using Experiments.Actors;
using Experiments.Actors.Cluster;
using Experiments.Actors.Datasets;
using Experiments.Training;
using Experiments.Training.Data;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// worker --join HOST:PORT: a node that trains the trial-folds the coordinator hands its slots.
/// No results folder, no database: its data comes through its own dataset loader, its trial files
/// live in a scratch folder and go to the coordinator. When the cluster is lost (the coordinator
/// died, or this node was downed) it starts its actor system afresh and joins again, until stopped.
/// </summary>
public static class WorkerCommand
{
    /// <param name="FetchData">Always fetch the spec's own IDX files from the coordinator (a worker without the shared paths).</param>
    public sealed record Options(string Join, int Slots, int? ThreadsPerSlot, string Host, int Port, string? WorkDirectory, bool FetchData = false);

    /// <summary>Where fetched IDX files are kept, by hash: under the cache folder of the default digits.</summary>
    public static string DataCacheDirectory() => Path.Combine(DefaultDigits.CacheDirectory(), "idx");

    public static async Task<int> RunAsync(Options options, CancellationToken cancellation, ITrainerFactory? factory = null)
    {
        // SIGTERM and Ctrl-C stop the worker (no generic host here to do it): it leaves the cluster and exits 0.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        return await RunUntilStoppedAsync(options, stop.Token, factory);
    }

    private static async Task<int> RunUntilStoppedAsync(Options options, CancellationToken cancellation, ITrainerFactory? factory)
    {
        if (ClusterSettings.ParseEndpoint(options.Join) is not { } seed)
        {
            Log.Error("--join {Join}: expected HOST:PORT of the coordinator (its --cluster-port)", options.Join);
            return ExitCodes.InvalidInput;
        }
        if (options.Slots < 1 || options.ThreadsPerSlot is < 1)
        {
            Log.Error("--slots and --threads-per-slot must be at least 1");
            return ExitCodes.InvalidInput;
        }
        var settings = new ClusterSettings(options.Host, options.Port, seed.Host, seed.Port, "worker", ClusterSettings.SecretFromEnvironment());
        if (settings.Problem() is { } problem)
        {
            Log.Error("{Problem}", problem);
            return ExitCodes.InvalidInput;
        }
        try
        {
            TorchRuntime.EnsureLoaded();
        }
        catch (TorchUnavailableException e)
        {
            Log.Error("{Reason}", e.Message);
            return ExitCodes.SweepFailed;
        }
        var scratch = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"experiments-worker-{Environment.ProcessId}");
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var refused = await RunOnceAsync(settings, options, scratch, factory ?? TrainerFactory.Instance, cancellation);
                if (refused is not null)
                {
                    Log.Error("The coordinator refused this worker: {Reason}", refused);
                    return ExitCodes.InvalidInput;
                }
                if (!cancellation.IsCancellationRequested) Log.Warning("Lost the cluster; joining {Coordinator} again", options.Join);
            }
            Log.Information("Worker stopped");
            return ExitCodes.Success;
        }
        finally
        {
            try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>One life of the actor system: until it terminates (downed, coordinator gone), is refused, or is stopped. Returns a refusal's reason.</summary>
    private static async Task<string?> RunOnceAsync(ClusterSettings settings, Options options, string scratch, ITrainerFactory factory, CancellationToken cancellation)
    {
        var config = settings.ToConfig()
            .WithFallback(ConfigurationFactory.ParseString("""
                akka.loggers = ["Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog"]
                akka.coordinated-shutdown.exit-clr = off
                akka.cluster.run-coordinated-shutdown-when-down = on
                """))
            .WithFallback(ActorsConfig.Config);
        using var system = ActorSystem.Create(ClusterSettings.SystemName, config);
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var node = NodeName.Of(system);
        var cluster = Akka.Cluster.Cluster.Get(system);
        Log.Information("Worker {Node}: joining the coordinator at {Join} with {Slots} slot(s)", node, options.Join, options.Slots);
        cluster.RegisterOnMemberUp(() =>
        {
            var datasets = system.ActorOf(DatasetRegistry.Props(), "datasets");
            var dataCache = system.ActorOf(DataCache.Props(settings.QueuePath, DataCacheDirectory(), options.FetchData), "data-cache");
            system.ActorOf(WorkerNode.Props(settings.QueuePath, node, options.Slots, settings.Secret, datasets, dataCache, factory,
                Path.Combine(scratch, $"{settings.Port}-{Guid.NewGuid():N}"[..12]), options.ThreadsPerSlot, reason => refused.TrySetResult(reason),
                // The coordinator was restarted: down this node now (as the resolver would later); its system then terminates and we join again.
                () => cluster.Down(cluster.SelfAddress)), "worker");
        });
        var stopped = Task.Delay(Timeout.Infinite, cancellation);
        var first = await Task.WhenAny(system.WhenTerminated, refused.Task, stopped);
        if (first != system.WhenTerminated) await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        return first == refused.Task ? refused.Task.Result : null;
    }
}
