using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Experiments.Host;

/// <summary>
/// Serilog for everything: a human-readable console and compact JSON (CLEF) files under
/// RESULTS/logs, one per day. EXPERIMENTS_LOG_LEVEL sets the minimum level (default Information).
/// </summary>
public static class Logging
{
    public static void Configure(string? resultsDirectory)
    {
        var level = Enum.TryParse<LogEventLevel>(Environment.GetEnvironmentVariable("EXPERIMENTS_LOG_LEVEL"), true, out var parsed)
            ? parsed : LogEventLevel.Information;
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        if (resultsDirectory is not null)
            config = config.WriteTo.File(new CompactJsonFormatter(), Path.Combine(resultsDirectory, "logs", "experiments-.clef"),
                rollingInterval: RollingInterval.Day, shared: true);
        Log.Logger = config.CreateLogger();
    }
}
