using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Experiments.Actors;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Experiments.Host;

/// <summary>Registry key for the /user/sweeps actor.</summary>
public sealed class SweepManagerKey;

/// <summary>The generic host with Serilog and the actor system, composed from small extension methods.</summary>
public static class ExperimentsHost
{
    public static IHost Build(string resultsDirectory, ITrainerFactory? factory = null, JournalSettings? journal = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.AddExperimentActors(resultsDirectory, factory ?? TrainerFactory.Instance, journal ?? JournalSettings.SqliteIn(resultsDirectory));
        return builder.Build();
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
        Action<AkkaConfigurationBuilder>? withMore = null) =>
        services.AddAkka("experiments", akka => akka
            .AddHocon(ActorsConfig.Config, HoconAddMode.Prepend)
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
                var sweeps = system.ActorOf(SweepManager.Props(resultsDirectory, datasets, factory, hostId), SweepManager.Name);
                registry.Register<SweepManagerKey>(sweeps);
            })
            .WithMore(withMore));

    private static AkkaConfigurationBuilder WithMore(this AkkaConfigurationBuilder akka, Action<AkkaConfigurationBuilder>? more)
    {
        more?.Invoke(akka);
        return akka;
    }
}
