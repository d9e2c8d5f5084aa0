using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// The drop-in folder of `serve` (RESULTS/inbox): every *.hocon or *.conf file that appears is
/// validated and submitted, then moved to inbox/accepted/; a bad file is logged with every error,
/// moved to inbox/rejected/ with FILE.errors.txt beside it, and the service stays up. Polled
/// rather than watched: FileSystemWatcher misses events on some file systems and under load.
/// </summary>
public sealed class Inbox(string resultsDirectory, ActorRegistry registry) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public string Folder { get; } = Path.Combine(resultsDirectory, "inbox");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(Folder);
        Log.Information("Watching {Inbox} for new sweep files", Folder);
        var sweeps = await registry.GetAsync<SweepManagerKey>(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var file in Directory.EnumerateFiles(Folder).Where(IsSpec).Order())
                await TakeAsync(file, sweeps);
            try { await Task.Delay(PollInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private static bool IsSpec(string path) =>
        path.EndsWith(".hocon", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".conf", StringComparison.OrdinalIgnoreCase);

    private async Task TakeAsync(string file, IActorRef sweeps)
    {
        var result = SpecLoader.LoadFile(file, DatasetFacts.SpecContext());
        foreach (var warning in SpecReport.Warnings(result)) Log.Warning("{File}: {Warning}", Path.GetFileName(file), warning);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors) Log.Error("Rejected {File}: {Error}", Path.GetFileName(file), error.ToString());
            var rejected = MoveTo(file, "rejected");
            await File.WriteAllLinesAsync(rejected + ".errors.txt", result.Errors.Select(e => e.ToString()));
            return;
        }
        var problems = new List<string>();
        foreach (var spec in result.Sweeps)
        {
            var reply = await sweeps.Ask<object>(new SweepProtocol.SubmitSweep(spec), TimeSpan.FromSeconds(30));
            if (reply is SweepProtocol.SweepRejected rejected) problems.Add($"{rejected.Name}: {rejected.Reason}");
            else Log.Information("Accepted sweep {SweepId} from {File}", spec.Name, Path.GetFileName(file));
        }
        if (problems.Count == 0)
        {
            MoveTo(file, "accepted");
            return;
        }
        foreach (var problem in problems) Log.Error("Rejected from {File}: {Error}", Path.GetFileName(file), problem);
        var moved = MoveTo(file, "rejected");
        await File.WriteAllLinesAsync(moved + ".errors.txt", problems);
    }

    private string MoveTo(string file, string subfolder)
    {
        var folder = Path.Combine(Folder, subfolder);
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Path.GetFileName(file)}");
        File.Move(file, target, overwrite: true);
        return target;
    }
}
