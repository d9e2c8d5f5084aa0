using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Experiments.Host;

public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A sweep ended other than as declared (failed trials, cancelled, no data).</summary>
    public const int SweepFailed = 1;
    /// <summary>The spec is invalid or the command line is wrong.</summary>
    public const int InvalidInput = 2;
}

/// <summary>The program's verbs. Each returns the process exit code.</summary>
public static class Commands
{
    public const string DefaultSpecFile = "experiments.hocon";
    public const string DefaultResultsDirectory = "results";

    /// <summary>validate FILE: print each sweep's size, or every error with its location.</summary>
    public static int Validate(string file, TextWriter output)
    {
        var result = SpecLoader.LoadFile(file, DatasetFacts.SpecContext());
        output.WriteLine(SpecReport.Render(result));
        return result.IsValid ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    /// <summary>run [FILE]: run every sweep of the file to the end, print the leaderboards.</summary>
    public static async Task<int> RunAsync(string file, string resultsDirectory, TextWriter output, CancellationToken cancellation,
        ITrainerFactory? factory = null, JournalSettings? journal = null)
    {
        var spec = SpecLoader.LoadFile(file, DatasetFacts.SpecContext());
        if (!spec.IsValid)
        {
            output.WriteLine(SpecReport.Render(spec));
            return ExitCodes.InvalidInput;
        }
        foreach (var warning in SpecReport.Warnings(spec)) output.WriteLine(warning);
        var (checkedJournal, failure) = Preflight(resultsDirectory, journal);
        if (failure is { } exitCode) return exitCode;
        using var host = ExperimentsHost.Build(resultsDirectory, factory, checkedJournal);
        await host.StartAsync(cancellation);
        var sweeps = host.Services.GetRequiredService<ActorRegistry>().Get<SweepManagerKey>();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        Log.Information("Running {Count} sweep(s) from {File}; results in {Results}", spec.Sweeps.Length, file, Path.GetFullPath(resultsDirectory));

        var all = Task.WhenAll(spec.Sweeps.Select(s => SweepSubmission.RunAsync(sweeps, s)));
        var interrupted = Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellation).Token);
        if (await Task.WhenAny(all, interrupted) != all)
        {
            // Ctrl-C or SIGTERM: the journal holds every finished epoch; the same command resumes.
            Log.Warning("Interrupted: run the same command again to resume from the last checkpoints");
            await host.StopAsync(CancellationToken.None);
            return ExitCodes.SweepFailed;
        }
        var runs = await all;
        foreach (var run in runs)
        {
            if (run.Summary is { } summary) PrintSummary(summary, output);
            else PrintUnfinished(run, output);
        }
        await host.StopAsync(CancellationToken.None);
        return runs.All(r => r.Summary is { Succeeded: true }) ? ExitCodes.Success : ExitCodes.SweepFailed;
    }

    /// <summary>
    /// serve [FILE]: a long-lived service. Resumes every unfinished sweep, runs the sweeps of FILE,
    /// takes new ones from RESULTS/inbox and the HTTP API, stops gracefully on SIGTERM or Ctrl-C.
    /// </summary>
    /// <param name="coordinator">With --cluster-port: this service is a cluster's coordinator (ClusterSettings; WorkerCommand for the workers).</param>
    public static async Task<int> ServeAsync(string? file, string resultsDirectory, string url, CancellationToken cancellation, ITrainerFactory? factory = null,
        CoordinatorSettings? coordinator = null)
    {
        if (coordinator?.Cluster.Problem() is { } clusterProblem)
        {
            Log.Error("{Problem}", clusterProblem);
            return ExitCodes.InvalidInput;
        }
        var token = Environment.GetEnvironmentVariable(HttpApi.TokenVariable);
        if (HttpApi.CheckBinding(url, token) is { } problem)
        {
            Log.Error("{Problem}", problem);
            return ExitCodes.InvalidInput;
        }
        var (journal, failure) = Preflight(resultsDirectory, journal: null);
        if (failure is { } exitCode) return exitCode;
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddExperimentActors(resultsDirectory, factory ?? TrainerFactory.Instance, journal!, akka => akka.WithActors((system, _, resolver) =>
            system.ActorOf(EpochCounter.Props(resolver.GetService<ServiceMetrics>()), "epoch-counter")), coordinator);
        builder.Services.AddSingleton(services => new Inbox(resultsDirectory, services.GetRequiredService<ActorRegistry>(),
            services.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System));
        builder.Services.AddHostedService(services => services.GetRequiredService<Inbox>());
        builder.WebHost.UseUrls(url);
        await using var app = builder.Build();
        HttpApi.Map(app, token);
        if (coordinator is not null) ClusterApi.Map(app);
        if (await TryStartAsync(app, cancellation) is { } startFailure) return startFailure;
        Log.Information("Serving on {Url}; results in {Results}", url, Path.GetFullPath(resultsDirectory));
        if (coordinator is not null)
            Log.Information("Coordinating a cluster on {Node}: workers join with `experiments worker --join {Node}`; {LocalSlots} slot(s) train here",
                coordinator.Cluster.NodeName, coordinator.Cluster.NodeName, coordinator.LocalSlots);

        if (file is not null) await SubmitFileAsync(file, app.Services.GetRequiredService<ActorRegistry>().Get<SweepManagerKey>());
        await app.WaitForShutdownAsync(cancellation);
        if (app.Services.GetRequiredService<Inbox>().Failure is not null)
        {
            Log.Error("Stopped because the inbox failed (see above)");
            return ExitCodes.SweepFailed;
        }
        Log.Information("Stopped");
        return ExitCodes.Success;
    }

    /// <summary>Null when serving, else the exit code: a port in use (or any I/O failure at start) is one logged sentence.</summary>
    private static async Task<int?> TryStartAsync(WebApplication app, CancellationToken cancellation)
    {
        try
        {
            await app.StartAsync(cancellation);
            return null;
        }
        catch (IOException e)
        {
            Log.Error("The service could not start: {Reason}", e.Message);
            try { await app.StopAsync(CancellationToken.None); }
            catch (Exception stop) when (stop is IOException or InvalidOperationException or OperationCanceledException) { }
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>
    /// What must hold before a host starts: libtorch loads, the journal is configured (from the
    /// environment unless given) and the host knows its id in it. On failure the reason is logged
    /// and the exit code returned.
    /// </summary>
    private static (JournalSettings? Journal, int? Failure) Preflight(string resultsDirectory, JournalSettings? journal)
    {
        try
        {
            TorchRuntime.EnsureLoaded();
        }
        catch (TorchUnavailableException e)
        {
            Log.Error("{Reason}", e.Message);
            return (null, ExitCodes.SweepFailed);
        }
        var (configured, error) = journal is null ? JournalSettings.FromEnvironment(resultsDirectory) : (journal, null);
        if (error is not null)
        {
            Log.Error("{Problem}", error);
            return (null, ExitCodes.InvalidInput);
        }
        try
        {
            return (configured! with { HostId = configured!.HostId ?? HostIdentity.OfResults(resultsDirectory) }, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.Error("{Problem}", e.Message);
            return (null, ExitCodes.InvalidInput);
        }
    }

    /// <summary>A bad file is logged with every error; the service stays up for the other sweeps.</summary>
    private static async Task SubmitFileAsync(string file, IActorRef sweeps)
    {
        var result = SpecLoader.LoadFile(file, DatasetFacts.SpecContext());
        foreach (var error in result.Errors) Log.Error("Rejected {File}: {Error}", file, error.ToString());
        foreach (var warning in SpecReport.Warnings(result)) Log.Warning("{File}: {Warning}", file, warning);
        var outcome = await SweepSubmission.SubmitAsync(sweeps, result.Sweeps);
        foreach (var rejected in outcome.Rejected) Log.Error("Rejected sweep {SweepId}: {Reason}", rejected.Name, rejected.Reason);
    }

    private static void PrintUnfinished(SweepSubmission.SweepRun run, TextWriter output)
    {
        Log.Error("Sweep {SweepId} did not finish: {Problem}", run.Name, run.Problem);
        output.WriteLine();
        output.WriteLine($"Sweep {run.Name} did not finish: {run.Problem}.");
        if (run.Resumable) output.WriteLine("Every finished epoch is in the journal: run the same command again to resume.");
    }

    public static void PrintSummary(SweepSummary summary, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Sweep {summary.Name}: {summary.State}, ranked by {summary.Metric} ({summary.Mode.ToString().ToLowerInvariant()})");
        output.Write(Leaderboard.ToMarkdown(summary.Leaderboard, summary.Metric));
        if (summary.Best is { } best)
        {
            var test = summary.TestMetrics is { Count: > 0 } metrics
                ? string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {Readable.Number(m.Value)}"))
                : "not scored";
            output.WriteLine($"Best config {best.Id}: {Readable.Parameters(best.Parameters)}");
            output.WriteLine($"Retrained on all folds, on the held-out test split: {test}");
        }
        if (summary.Failed > 0) output.WriteLine($"{summary.Failed} trial-fold(s) failed: see the log.");
        output.WriteLine($"Results: {summary.ResultsDirectory}");
    }
}
