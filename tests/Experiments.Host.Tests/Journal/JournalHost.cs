using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Experiments.Host.Tests.Journal;

/// <summary>
/// The program's actor system with its real journal settings (SQLite in a results folder, or a
/// given database) and no actors: a test starts the ones it needs.
/// </summary>
public sealed class JournalHost : IAsyncDisposable
{
    private readonly IHost _host;

    private JournalHost(IHost host) => _host = host;

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public static async Task<JournalHost> StartAsync(string resultsDirectory, JournalSettings? journal = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka("experiments", akka => akka
            .AddHocon(ActorsConfig.Config, HoconAddMode.Prepend)
            .WithJournalAndSnapshot(resultsDirectory, journal ?? JournalSettings.SqliteIn(resultsDirectory)));
        var host = builder.Build();
        await host.StartAsync();
        return new JournalHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>An actor that answers nothing: a dataset registry that never delivers, so a sweep stays open at its start.</summary>
public sealed class Silent : ReceiveActor
{
    public Silent() => ReceiveAny(_ => { });
}
