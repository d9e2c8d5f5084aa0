using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Experiments.Actors;
using Experiments.Actors.Cluster;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Experiments.Host;

/// <summary>Registry key for the /user/sweeps actor.</summary>
public sealed class SweepManagerKey;

/// <summary>Registry key for the coordinator's /user/work-queue (only when serving a cluster).</summary>
public sealed class WorkQueueKey;

/// <summary>serve as a cluster's coordinator: where it binds, and how many slots train here.</summary>
public sealed record CoordinatorSettings(ClusterSettings Cluster, int LocalSlots);

/// <summary>The generic host with Serilog and the actor system, composed from small extension methods.</summary>
public static class ExperimentsHost
{
    public static IHost Build(string resultsDirectory, ITrainerFactory? factory = null, JournalSettings? journal = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Configuration = WithoutReload() });
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.AddExperimentActors(resultsDirectory, factory ?? TrainerFactory.Instance, journal ?? JournalSettings.SqliteIn(resultsDirectory));
        return builder.Build();
    }

    /// <summary>
    /// The generic host's defaults, but configuration files read once: reloading on change starts a
    /// FileSystemWatcher on the content root (the working directory), which on Linux walks and
    /// watches every folder below it (a repository's bin/ and obj/ trees) before the host starts.
    /// </summary>
    private static ConfigurationManager WithoutReload()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        return configuration;
    }

    /// <summary>
    /// Sweep state is event-sourced (journal and snapshots) into SQLite in the results folder, or
    /// PostgreSQL, so a host killed with kill -9 resumes where it stood. The plugin creates its tables.
    /// </summary>
    public static AkkaConfigurationBuilder WithJournalAndSnapshot(this AkkaConfigurationBuilder akka, string resultsDirectory, JournalSettings journal)
    {
        Directory.CreateDirectory(resultsDirectory);
        return akka.WithSqlPersistence(journal.ConnectionString, journal.ProviderName, autoInitialize: true);
    }

    /// <param name="withMore">More actors for one verb (serve's metrics), started with the rest.</param>
    public static IServiceCollection AddExperimentActors(this IServiceCollection services, string resultsDirectory, ITrainerFactory factory, JournalSettings journal,
        Action<AkkaConfigurationBuilder>? withMore = null, CoordinatorSettings? coordinator = null) =>
        services.AddAkka(ClusterSettings.SystemName, akka => akka
            .AddHocon(coordinator is null ? ActorsConfig.Config : coordinator.Cluster.ToConfig().WithFallback(ActorsConfig.Config), HoconAddMode.Prepend)
            .WithJournalAndSnapshot(resultsDirectory, journal)
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<SerilogLogger>();
            })
            .WithActors((system, registry) =>
            {
                var datasets = system.ActorOf(DatasetRegistry.Props(), "datasets");
                var hostId = journal.HostId ?? HostIdentity.OfResults(resultsDirectory);
                var queue = coordinator is null ? null : StartQueue(system, registry, coordinator, datasets, factory);
                var sweeps = system.ActorOf(SweepManager.Props(resultsDirectory, datasets, factory, hostId, queue), SweepManager.Name);
                registry.Register<SweepManagerKey>(sweeps);
            })
            .WithMore(withMore));

    /// <summary>The work queue every trial-fold waits in, and this node's own slots pulling from it.</summary>
    private static IActorRef StartQueue(ActorSystem system, IActorRegistry registry, CoordinatorSettings coordinator, IActorRef datasets, ITrainerFactory factory)
    {
        var node = coordinator.Cluster.NodeName;
        var queue = system.ActorOf(WorkQueue.Props(coordinator.Cluster.Secret, node, coordinator.LocalSlots), ClusterProtocol.QueueName);
        registry.Register<WorkQueueKey>(queue);
        var scratch = Path.Combine(Path.GetTempPath(), $"experiments-coordinator-{Environment.ProcessId}");
        for (var i = 0; i < coordinator.LocalSlots; i++)
            system.ActorOf(WorkerSlot.Props(queue.Path.ToStringWithoutAddress(), node, i, datasets, factory, Path.Combine(scratch, $"slot-{i}"), null), $"local-slot-{i}");
        return queue;
    }

    private static AkkaConfigurationBuilder WithMore(this AkkaConfigurationBuilder akka, Action<AkkaConfigurationBuilder>? more)
    {
        more?.Invoke(akka);
        return akka;
    }
}
