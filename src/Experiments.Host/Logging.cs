using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Experiments.Host;

/// <summary>
/// Serilog for everything. Levels and sinks come from a Serilog configuration file
/// (EXPERIMENTS_LOGGING_CONFIG, else config/logging.json when present: a human-readable console
/// by default); the compact JSON (CLEF) files under RESULTS/logs, one per day, are always
/// written, since the service's own records depend on them. EXPERIMENTS_LOG_LEVEL overrides the
/// minimum level. docs/LOGGING.md.
/// </summary>
public static class Logging
{
    public const string ConfigVariable = "EXPERIMENTS_LOGGING_CONFIG";
    public const string LevelVariable = "EXPERIMENTS_LOG_LEVEL";
    public const string DefaultConfigFile = "config/logging.json";
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Sets up Log.Logger; null when done, else what is wrong with the results folder (where the
    /// log files go: then nothing is set up) or with the configuration file (both named).
    /// </summary>
    public static string? TryConfigure(string? resultsDirectory)
    {
        if (resultsDirectory is not null && ResultsFolder.Problem(resultsDirectory) is { } unusable) return unusable;
        try
        {
            Configure(resultsDirectory);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            Configure(resultsDirectory, useConfigFile: false);
            return $"{ConfigFile()}: {e.Message}";
        }
    }

    public static void Configure(string? resultsDirectory) => Configure(resultsDirectory, useConfigFile: true);

    /// <summary>The live tail of every sweep's events, for the API's /sweeps/{name}/logs (process-wide, like Log.Logger).</summary>
    public static RecentEvents Recent { get; } = new();

    private static string ConfigFile() => Environment.GetEnvironmentVariable(ConfigVariable) ?? DefaultConfigFile;

    /// <summary>
    /// The generic host logs a failed start with its stack trace; the commands report it
    /// themselves, once (a port in use is one sentence), so the host's record is left out.
    /// </summary>
    private static bool IsHostStartFailure(LogEvent e) =>
        e.MessageTemplate.Text == "Hosting failed to start"
        && e.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" };

    private static void Configure(string? resultsDirectory, bool useConfigFile)
    {
        var file = ConfigFile();
        var config = new LoggerConfiguration().Enrich.FromLogContext();
        config = useConfigFile && File.Exists(file)
            ? config.ReadFrom.Configuration(new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(file), optional: false).Build())
            : config.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .WriteTo.Console(outputTemplate: ConsoleTemplate);
        config = config.Filter.ByExcluding(IsHostStartFailure).WriteTo.Sink(Recent);
        if (Enum.TryParse<LogEventLevel>(Environment.GetEnvironmentVariable(LevelVariable), true, out var level))
            config = config.MinimumLevel.Is(level);
        if (resultsDirectory is not null)
            config = config.WriteTo.File(new CompactJsonFormatter(), Path.Combine(resultsDirectory, "logs", "experiments-.clef"),
                rollingInterval: RollingInterval.Day, shared: true);
        Log.Logger = config.CreateLogger();
    }
}
