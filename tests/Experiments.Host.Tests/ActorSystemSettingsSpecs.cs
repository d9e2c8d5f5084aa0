using Akka.Actor;
using Experiments.Actors.Trials;
using Microsoft.Extensions.DependencyInjection;

namespace Experiments.Host.Tests;

/// <summary>The settings the host's actor system runs with, as `run` and `serve` start it.</summary>
public sealed class ActorSystemSettingsSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Should_run_trainers_on_their_pinned_dispatcher_and_tick_the_scheduler_every_100_ms()
    {
        using var host = ExperimentsHost.Build(_dir.Path);
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            Assert.True(system.Dispatchers.HasDispatcher(Trainer.DispatcherId));
            Assert.Equal("PinnedDispatcher", system.Settings.Config.GetString($"{Trainer.DispatcherId}.type"));
            // Akka's default of 10 ms woke a timer thread 100 times a second, on the cores the trainers need.
            Assert.Equal(TimeSpan.FromMilliseconds(100), system.Settings.Config.GetTimeSpan("akka.scheduler.tick-duration"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Should_give_journal_recovery_two_minutes_so_a_loaded_machine_does_not_stop_the_sweep_manager()
    {
        using var host = ExperimentsHost.Build(_dir.Path);
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            // What Akka.Persistence reads for the journal in use: its plugin section over the fallback.
            var config = system.Settings.Config;
            var journal = config.GetConfig(config.GetString("akka.persistence.journal.plugin"))
                .WithFallback(config.GetConfig("akka.persistence.journal-plugin-fallback"));
            Assert.Equal(TimeSpan.FromSeconds(120), journal.GetTimeSpan("recovery-event-timeout"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
