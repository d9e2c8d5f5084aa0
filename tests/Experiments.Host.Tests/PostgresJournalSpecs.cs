using Npgsql;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>Sweep state journalled in PostgreSQL, as several hosts sharing one database configure it.</summary>
public sealed class PostgresJournalSpecs(PrivatePostgres postgres) : IClassFixture<PrivatePostgres>, IDisposable
{
    private readonly TempDir _dir = new();

    private async Task<(int ExitCode, string Output)> Run(string results)
    {
        var spec = _dir.Write("tiny.hocon", SpecFiles.Tiny);
        Logging.Configure(results);
        try
        {
            using var output = new StringWriter();
            var journal = new JournalSettings(JournalSettings.PostgreSql, postgres.ConnectionString);
            return (await Commands.RunAsync(spec, results, output, CancellationToken.None, journal: journal), output.ToString());
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    [Fact]
    public async Task Should_journal_sweeps_in_postgresql_and_answer_a_finished_sweep_from_it()
    {
        var (first, _) = await Run(_dir.File("first"));
        Assert.Equal(ExitCodes.Success, first);

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("select count(*) from journal where persistence_id like 'sweep-e2e-%'", connection);
            Assert.True((long)(await count.ExecuteScalarAsync())! > 10, "the sweep's events are in PostgreSQL");
        }

        // A second host on another results folder but the same database: the sweep is already done.
        var (second, output) = await Run(_dir.File("second"));
        Assert.Equal(ExitCodes.Success, second);
        Assert.Contains("Sweep e2e: completed", output);
        var trained = Directory.GetFiles(Path.Combine(_dir.File("second"), "logs"), "*.clef").SelectMany(File.ReadLines)
            .Count(line => line.Contains("epoch {Epoch} {Metric}", StringComparison.Ordinal));
        Assert.Equal(0, trained);
    }

    [Fact]
    public void Should_refuse_postgresql_without_a_connection_string()
    {
        var previous = (Environment.GetEnvironmentVariable(JournalSettings.ProviderVariable), Environment.GetEnvironmentVariable(JournalSettings.ConnectionVariable));
        try
        {
            Environment.SetEnvironmentVariable(JournalSettings.ProviderVariable, "postgresql");
            Environment.SetEnvironmentVariable(JournalSettings.ConnectionVariable, null);
            var (settings, error) = JournalSettings.FromEnvironment(_dir.Path);
            Assert.Null(settings);
            Assert.Contains("EXPERIMENTS_JOURNAL_CONNECTION", error);
            Environment.SetEnvironmentVariable(JournalSettings.ProviderVariable, "mongodb");
            Assert.Contains("'mongodb' is not a journal provider", JournalSettings.FromEnvironment(_dir.Path).Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(JournalSettings.ProviderVariable, previous.Item1);
            Environment.SetEnvironmentVariable(JournalSettings.ConnectionVariable, previous.Item2);
        }
    }

    public void Dispose() => _dir.Dispose();
}
