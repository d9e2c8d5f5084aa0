using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Experiments.Actors.Sweeps;
using Microsoft.Extensions.Hosting;

namespace Experiments.Host.Tests;

/// <summary>
/// A sweep's events as the program's own host reads them back from the journal in a results
/// folder (the same plugin, settings and serializers as `run`), in the order they were written.
/// </summary>
public static class SweepJournal
{
    public static async Task<IReadOnlyList<ISweepEvent>> ReadAsync(string resultsDirectory, string persistenceId)
    {
        using var host = ExperimentsHost.Build(resultsDirectory);
        await host.StartAsync();
        try
        {
            var system = (ActorSystem)host.Services.GetService(typeof(ActorSystem))!;
            var reader = system.ActorOf(Props.Create(() => new Replay(persistenceId)));
            return await reader.Ask<IReadOnlyList<ISweepEvent>>("events", TimeSpan.FromMinutes(1));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed class Replay : ReceivePersistentActor
    {
        private readonly List<ISweepEvent> _events = new();

        public override string PersistenceId { get; }

        public Replay(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<SnapshotOffer>(offer => _events.AddRange(((SweepEvents.SweepSnapshot)offer.Snapshot).Events));
            Recover<ISweepEvent>(e => _events.Add(e));
            Command<string>(_ => Sender.Tell((IReadOnlyList<ISweepEvent>)_events.ToList()));
        }
    }
}
