using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Experiments.Host;

/// <summary>
/// The coordinator's part of the HTTP API (behind HttpApi's token or loopback check):
///   GET /workers   every node with slots (this one's local slots too), and the trial-folds each runs
/// </summary>
public static class ClusterApi
{
    public static void Map(WebApplication app) =>
        app.MapGet("/workers", async (ActorRegistry registry) =>
        {
            var list = await registry.Get<WorkQueueKey>().Ask<ClusterProtocol.WorkerList>(new ClusterProtocol.GetWorkers(), SweepSubmission.AskTimeout);
            return Results.Ok(list.Workers.Select(w => new
            {
                node = w.Node,
                slots = w.Slots,
                local = w.Local,
                running = w.Running.Select(r => new { sweep = r.Sweep, trial = r.Trial, fold = r.Fold }),
            }));
        });
}
