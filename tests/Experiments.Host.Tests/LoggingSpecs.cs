using System.Text.Json;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>Levels and sinks from a Serilog configuration file; the CLEF files always.</summary>
public sealed class LoggingSpecs : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string? _previous = Environment.GetEnvironmentVariable(Logging.ConfigVariable);

    private string? ConfigureWith(string json)
    {
        Environment.SetEnvironmentVariable(Logging.ConfigVariable, _dir.Write("logging.json", json));
        return Logging.TryConfigure(_dir.File("results"));
    }

    [Fact]
    public async Task Should_take_the_minimum_level_from_the_configuration_file()
    {
        Assert.Null(ConfigureWith("""{ "Serilog": { "MinimumLevel": "Warning" } }"""));
        Log.Information("Trial {TrialId} quiet", 1);
        Log.Warning("Trial {TrialId} loud", 2);
        await Log.CloseAndFlushAsync();

        var events = Directory.GetFiles(_dir.File("results/logs"), "*.clef").SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var only = Assert.Single(events);
        Assert.Equal(2, only.GetProperty("TrialId").GetInt32());
    }

    [Fact]
    public async Task Should_name_the_file_when_the_configuration_is_wrong_and_still_log()
    {
        var error = ConfigureWith("""{ "Serilog": { "MinimumLevel": "Loud" } }""");
        Assert.NotNull(error);
        Assert.StartsWith(_dir.File("logging.json"), error);
        Assert.Contains("Loud", error);
        Log.Information("still {Working}", true);
        await Log.CloseAndFlushAsync();
        Assert.Contains(Directory.GetFiles(_dir.File("results/logs"), "*.clef").SelectMany(File.ReadLines), l => l.Contains("\"Working\":true"));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Logging.ConfigVariable, _previous);
        _dir.Dispose();
    }
}
