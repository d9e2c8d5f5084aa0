using Akka.Actor;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Host;

/// <summary>
/// Handing sweeps to the sweep manager, the one way every entry point does it: the HTTP API and
/// the inbox submit and go (<see cref="SubmitAsync"/>), `run` submits and waits for the end
/// (<see cref="RunAsync"/>).
/// </summary>
public static class SweepSubmission
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>What the manager said of each sweep submitted: the names it took, and the ones it refused with why.</summary>
    public sealed record Outcome(IReadOnlyList<string> Accepted, IReadOnlyList<SweepProtocol.SweepRejected> Rejected)
    {
        /// <summary>"NAME: REASON", one a refused sweep.</summary>
        public IReadOnlyList<string> Problems => [.. Rejected.Select(r => $"{r.Name}: {r.Reason}")];
    }

    /// <summary>Submits each sweep in turn; the manager starts (or resumes) the ones it accepts.</summary>
    public static async Task<Outcome> SubmitAsync(IActorRef sweeps, IEnumerable<SweepSpec> specs)
    {
        var accepted = new List<string>();
        var rejected = new List<SweepProtocol.SweepRejected>();
        foreach (var spec in specs)
        {
            if (await sweeps.Ask<object>(new SweepProtocol.SubmitSweep(spec), AskTimeout) is SweepProtocol.SweepRejected no) rejected.Add(no);
            else accepted.Add(spec.Name);
        }
        return new Outcome(accepted, rejected);
    }

    /// <summary>What became of a sweep `run` waited on: its summary, or why it did not end (and whether running again resumes it).</summary>
    public sealed record SweepRun(string Name, SweepSummary? Summary, string? Problem, bool Resumable = false);

    /// <summary>
    /// Runs a sweep and waits for its end, or for a word that it will not end (rejected,
    /// interrupted), or for the sweep manager to be gone: `run` never waits on a dead manager.
    /// </summary>
    public static async Task<SweepRun> RunAsync(IActorRef sweeps, SweepSpec spec)
    {
        using var stopWatching = new CancellationTokenSource();
        var reply = sweeps.Ask<object>(new SweepProtocol.RunSweep(spec), Timeout.InfiniteTimeSpan);
        var managerGone = sweeps.WatchAsync(stopWatching.Token);
        if (await Task.WhenAny(reply, managerGone) != reply && !reply.IsCompleted)
            return new SweepRun(spec.Name, null, "the sweep manager stopped before the sweep ended (see the log)", Resumable: true);
        await stopWatching.CancelAsync();
        return await reply switch
        {
            SweepProtocol.SweepCompleted completed => new SweepRun(spec.Name, completed.Summary, null),
            SweepProtocol.SweepRejected rejected => new SweepRun(spec.Name, null, $"rejected: {rejected.Reason}"),
            SweepProtocol.SweepInterrupted interrupted => new SweepRun(spec.Name, null, interrupted.Reason, Resumable: true),
            var other => new SweepRun(spec.Name, null, $"unexpected reply {other}"),
        };
    }
}
