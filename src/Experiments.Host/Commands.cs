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

        var all = Task.WhenAll(spec.Sweeps.Select(s => RunOneAsync(sweeps, s)));
        var interrupted = Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellation).Token);
        if (await Task.WhenAny(all, interrupted) != all)
        {
            // Ctrl-C or SIGTERM: the journal holds every finished epoch; the same command resumes.
            Log.Warning("Interrupted: run the same command again to resume from the last checkpoints");
            await host.StopAsync(CancellationToken.None);
            return ExitCodes.SweepFailed;
        }
        var summaries = await all;
        foreach (var summary in summaries) PrintSummary(summary, output);
        await host.StopAsync(CancellationToken.None);
        return summaries.All(s => s.Succeeded) ? ExitCodes.Success : ExitCodes.SweepFailed;
    }

    /// <summary>
    /// serve [FILE]: a long-lived service. Resumes every unfinished sweep, runs the sweeps of FILE,
    /// takes new ones from RESULTS/inbox and the HTTP API, stops gracefully on SIGTERM or Ctrl-C.
    /// </summary>
    public static async Task<int> ServeAsync(string? file, string resultsDirectory, string url, CancellationToken cancellation, ITrainerFactory? factory = null)
    {
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
        builder.Services.AddExperimentActors(resultsDirectory, factory ?? TrainerFactory.Instance, journal!);
        builder.Services.AddHostedService(services => new Inbox(resultsDirectory, services.GetRequiredService<ActorRegistry>()));
        builder.WebHost.UseUrls(url);
        await using var app = builder.Build();
        HttpApi.Map(app, token);
        await app.StartAsync(cancellation);
        Log.Information("Serving on {Url}; results in {Results}", url, Path.GetFullPath(resultsDirectory));

        if (file is not null) await SubmitFileAsync(file, app.Services.GetRequiredService<ActorRegistry>().Get<SweepManagerKey>());
        await app.WaitForShutdownAsync(cancellation);
        Log.Information("Stopped");
        return ExitCodes.Success;
    }

    /// <summary>
    /// What must hold before a host starts: libtorch loads and the journal is configured (from the
    /// environment unless given). On failure the reason is logged and the exit code returned.
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
        if (journal is not null) return (journal, null);
        var (configured, error) = JournalSettings.FromEnvironment(resultsDirectory);
        if (error is null) return (configured, null);
        Log.Error("{Problem}", error);
        return (null, ExitCodes.InvalidInput);
    }

    /// <summary>A bad file is logged with every error; the service stays up for the other sweeps.</summary>
    private static async Task SubmitFileAsync(string file, IActorRef sweeps)
    {
        var result = SpecLoader.LoadFile(file, DatasetFacts.SpecContext());
        foreach (var error in result.Errors) Log.Error("Rejected {File}: {Error}", file, error.ToString());
        foreach (var spec in result.Sweeps)
            if (await sweeps.Ask<object>(new SweepProtocol.SubmitSweep(spec), TimeSpan.FromSeconds(30)) is SweepProtocol.SweepRejected rejected)
                Log.Error("Rejected sweep {SweepId}: {Reason}", rejected.Name, rejected.Reason);
    }

    private static async Task<SweepSummary> RunOneAsync(IActorRef sweeps, SweepSpec spec)
    {
        var reply = await sweeps.Ask<object>(new SweepProtocol.RunSweep(spec), Timeout.InfiniteTimeSpan);
        return reply switch
        {
            SweepProtocol.SweepCompleted completed => completed.Summary,
            SweepProtocol.SweepRejected rejected => throw new InvalidOperationException(rejected.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply}"),
        };
    }

    public static void PrintSummary(SweepSummary summary, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Sweep {summary.Name}: {summary.State}, ranked by {summary.Metric} ({summary.Mode.ToString().ToLowerInvariant()})");
        output.Write(Leaderboard.ToMarkdown(summary.Leaderboard, summary.Metric));
        if (summary.Best is { } best)
        {
            var test = summary.TestMetrics is { Count: > 0 } metrics
                ? string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {Leaderboard.Format(m.Value)}"))
                : "not scored";
            output.WriteLine($"Best config {best.Id}: {best.Parameters}");
            output.WriteLine($"Retrained on all folds, on the held-out test split: {test}");
        }
        if (summary.Failed > 0) output.WriteLine($"{summary.Failed} trial-fold(s) failed: see the log.");
        output.WriteLine($"Results: {summary.ResultsDirectory}");
    }
}
