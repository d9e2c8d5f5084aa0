using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
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
    public static IHost Build(string resultsDirectory, ITrainerFactory? factory = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.AddExperimentActors(resultsDirectory, factory ?? TrainerFactory.Instance);
        return builder.Build();
    }

    /// <summary>
    /// Sweep state is event-sourced into SQLite in the results folder (created on first start), so
    /// a host killed with kill -9 resumes where it stood. The tables are created by the plugin.
    /// </summary>
    public static AkkaConfigurationBuilder WithJournalAndSnapshot(this AkkaConfigurationBuilder akka, string resultsDirectory)
    {
        Directory.CreateDirectory(resultsDirectory);
        var database = Path.GetFullPath(Path.Combine(resultsDirectory, "experiments.db"));
        return akka.WithSqlPersistence($"Data Source={database};Pooling=True", ProviderName.SQLiteMS, autoInitialize: true);
    }

    public static IServiceCollection AddExperimentActors(this IServiceCollection services, string resultsDirectory, ITrainerFactory factory) =>
        services.AddAkka("experiments", akka => akka
            .AddHocon(ActorsConfig.Config, HoconAddMode.Prepend)
            .WithJournalAndSnapshot(resultsDirectory)
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<SerilogLogger>();
            })
            .WithActors((system, registry) =>
            {
                var datasets = system.ActorOf(DatasetRegistry.Props(), "datasets");
                var sweeps = system.ActorOf(SweepManager.Props(resultsDirectory, datasets, factory), SweepManager.Name);
                registry.Register<SweepManagerKey>(sweeps);
            }));
}
