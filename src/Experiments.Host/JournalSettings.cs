using LinqToDB;

namespace Experiments.Host;

/// <summary>
/// Where sweep state is journalled. SQLite in the results folder by default; PostgreSQL where
/// several hosts share one database. Configured by environment:
///   EXPERIMENTS_JOURNAL_PROVIDER     sqlite (default) | postgresql
///   EXPERIMENTS_JOURNAL_CONNECTION   the connection string (required for postgresql), e.g.
///                                    Host=db;Port=5432;Database=experiments;Username=exp;Password=…
///   EXPERIMENTS_HOST_ID              who this host is in the journal (HostIdentity); default: RESULTS/host-id
/// </summary>
public sealed record JournalSettings(string Provider, string ConnectionString)
{
    /// <summary>This host's id in the journal; null: the one kept in the results folder (<see cref="HostIdentity.OfResults"/>).</summary>
    public string? HostId { get; init; }

    public const string ProviderVariable = "EXPERIMENTS_JOURNAL_PROVIDER";
    public const string ConnectionVariable = "EXPERIMENTS_JOURNAL_CONNECTION";
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <summary>The Linq2Db provider name Akka.Persistence.Sql takes.</summary>
    public string ProviderName => Provider == PostgreSql ? LinqToDB.ProviderName.PostgreSQL15 : LinqToDB.ProviderName.SQLiteMS;

    public static JournalSettings SqliteIn(string resultsDirectory) =>
        new(Sqlite, $"Data Source={Path.GetFullPath(Path.Combine(resultsDirectory, "experiments.db"))};Pooling=True");

    /// <summary>The settings the environment names, or why they cannot be used.</summary>
    public static (JournalSettings? Settings, string? Error) FromEnvironment(string resultsDirectory)
    {
        var provider = (Environment.GetEnvironmentVariable(ProviderVariable) ?? Sqlite).Trim().ToLowerInvariant();
        var connection = Environment.GetEnvironmentVariable(ConnectionVariable);
        var (hostId, hostError) = HostIdentity.FromEnvironment();
        if (hostError is not null) return (null, hostError);
        (JournalSettings? Settings, string? Error) chosen = provider switch
        {
            Sqlite when string.IsNullOrWhiteSpace(connection) => (SqliteIn(resultsDirectory), null),
            Sqlite => (new JournalSettings(Sqlite, connection!), null),
            PostgreSql when string.IsNullOrWhiteSpace(connection) =>
                (null, $"{ProviderVariable}=postgresql needs {ConnectionVariable}, e.g. Host=db;Port=5432;Database=experiments;Username=exp;Password=secret"),
            PostgreSql => (new JournalSettings(PostgreSql, connection!), null),
            _ => (null, $"{ProviderVariable}: '{provider}' is not a journal provider; use sqlite or postgresql"),
        };
        return (chosen.Settings is null ? null : chosen.Settings with { HostId = hostId }, chosen.Error);
    }
}
