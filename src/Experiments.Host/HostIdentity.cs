using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Experiments.Host;

/// <summary>
/// Who this host is in a journal that several hosts share: its SweepManager journals under
/// sweep-manager-ID, so two hosts on one database never read or write each other's manager.
/// ID is EXPERIMENTS_HOST_ID if set, else the one kept in RESULTS/host-id, created on the first
/// start as MACHINE-RANDOM (the results folder is the host: moving it keeps the id; a copy of it
/// used by a second host at once needs its own EXPERIMENTS_HOST_ID).
/// </summary>
public static partial class HostIdentity
{
    public const string Variable = "EXPERIMENTS_HOST_ID";
    public const string FileName = "host-id";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Valid();

    [GeneratedRegex("[^A-Za-z0-9-]+")]
    private static partial Regex Unsafe();

    /// <summary>The environment's host id if it is valid; null if none is set; else why not.</summary>
    public static (string? Id, string? Error) FromEnvironment()
    {
        var configured = Environment.GetEnvironmentVariable(Variable)?.Trim();
        if (string.IsNullOrEmpty(configured)) return (null, null);
        return Valid().IsMatch(configured)
            ? (configured, null)
            : (null, $"{Variable}: '{configured}' is not a host id; use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    /// <summary>The id kept in the results folder, created there on the first call.</summary>
    public static string OfResults(string resultsDirectory)
    {
        var path = Path.Combine(Path.GetFullPath(resultsDirectory), FileName);
        if (File.Exists(path)) return Read(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var machine = Unsafe().Replace(Environment.MachineName.ToLowerInvariant(), "-").Trim('-');
        var created = $"{(machine.Length == 0 ? "host" : machine[..Math.Min(machine.Length, 40)])}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, created + "\n");
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary); // another process created it first: theirs holds
        }
        return Read(path);
    }

    private static string Read(string path)
    {
        var id = File.ReadAllText(path).Trim();
        return Valid().IsMatch(id)
            ? id
            : throw new InvalidDataException($"{path}: '{id}' is not a host id; delete the file (a new id is made) or set {Variable}");
    }
}
