using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Experiments.Host.Tests;

/// <summary>
/// A throwaway PostgreSQL server for one test class: initdb into a temporary folder, started on a
/// free loopback port, removed afterwards. Needs the server binaries (Debian: apt-get install
/// postgresql, which .ci/run does); as root it runs them as the postgres user.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private readonly string _folder;
    private readonly string _bin;

    public string ConnectionString { get; }

    public PrivatePostgres()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them (Debian: apt-get install postgresql)");
        _folder = Directory.CreateTempSubdirectory("experiments-pg-").FullName;
        var port = FreePort();
        if (IsRoot) Run("chown", "postgres", _folder);
        RunAsServerUser("initdb", "-D", Path.Combine(_folder, "data"), "-A", "trust", "-U", "postgres");
        RunAsServerUser("pg_ctl", "-D", Path.Combine(_folder, "data"), "-w", "-l", Path.Combine(_folder, "log"),
            "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1", "start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries()
    {
        const string debian = "/usr/lib/postgresql";
        var versioned = Directory.Exists(debian)
            ? Directory.GetDirectories(debian).Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return versioned ?? Environment.GetEnvironmentVariable("PATH")?.Split(':').FirstOrDefault(p => File.Exists(Path.Combine(p, "initdb")));
    }

    private void RunAsServerUser(string tool, params string[] arguments)
    {
        var path = Path.Combine(_bin, tool);
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        else Run(path, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            RunAsServerUser("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
