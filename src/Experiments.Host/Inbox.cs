using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// The drop-in folder of `serve` (RESULTS/inbox): every settled *.hocon or *.conf file is
/// validated and submitted, then moved to inbox/accepted/; a bad file is logged with every error,
/// moved to inbox/rejected/ with FILE.errors.txt beside it, and the service stays up. Polled
/// rather than watched: FileSystemWatcher misses events on some file systems and under load.
/// No one file stops it: whatever goes wrong with a file moves that file aside, and a folder
/// that cannot be used is reported and tried again at every poll. Should the loop itself fail,
/// <see cref="Failure"/> holds why and the service stops (ServeAsync then exits non-zero).
/// </summary>
public sealed class Inbox(string resultsDirectory, ActorRegistry registry, IHostApplicationLifetime lifetime, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly InboxFolder _files = new(Path.Combine(resultsDirectory, "inbox"), clock);
    private string? _folderProblem;

    public string Folder => _files.Path;

    /// <summary>Why the inbox stopped, when it stopped other than by the service stopping.</summary>
    public Exception? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var sweeps = await registry.GetAsync<SweepManagerKey>(stoppingToken);
            Log.Information("Watching {Inbox} for new sweep files", Folder);
            while (!stoppingToken.IsCancellationRequested)
            {
                await PassAsync(sweeps);
                await Task.Delay(PollInterval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Failure = e;
            Log.Fatal(e, "The inbox {Inbox} stopped unexpectedly; stopping the service", Folder);
            lifetime.StopApplication();
        }
    }

    private async Task PassAsync(IActorRef sweeps)
    {
        IReadOnlyList<string> ready;
        try
        {
            ready = _files.Scan();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_folderProblem != e.Message) Log.Error("Cannot use the inbox {Inbox}: {Reason}; trying again every second", Folder, e.Message);
            _folderProblem = e.Message;
            return;
        }
        if (_folderProblem is not null) Log.Information("The inbox {Inbox} can be used again", Folder);
        _folderProblem = null;
        foreach (var file in ready)
        {
            try
            {
                await TakeAsync(file, sweeps);
            }
            catch (Exception e)
            {
                // Whatever it was, it concerns this file only: move it aside and carry on.
                Log.Error("Rejected {File}: {Error}", Path.GetFileName(file), e.Message);
                _files.TryReject(file, [$"the inbox could not take this file: {e.Message}"]);
            }
        }
    }

    private async Task TakeAsync(string file, IActorRef sweeps)
    {
        var bytes = await InboxFolder.ReadAsync(file);
        var result = SpecLoader.LoadBytes(bytes, file, Folder, DatasetFacts.SpecContext());
        foreach (var warning in SpecReport.Warnings(result)) Log.Warning("{File}: {Warning}", Path.GetFileName(file), warning);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors) Log.Error("Rejected {File}: {Error}", Path.GetFileName(file), error.ToString());
            _files.TryReject(file, result.Errors.Select(e => e.ToString()).ToList());
            return;
        }
        var outcome = await SweepSubmission.SubmitAsync(sweeps, result.Sweeps);
        foreach (var name in outcome.Accepted) Log.Information("Accepted sweep {SweepId} from {File}", name, Path.GetFileName(file));
        var problems = outcome.Problems;
        if (problems.Count == 0)
        {
            _files.TryAccept(file);
            return;
        }
        foreach (var problem in problems) Log.Error("Rejected from {File}: {Error}", Path.GetFileName(file), problem);
        _files.TryReject(file, problems);
    }
}
