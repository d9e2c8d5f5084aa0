using System.Net;
using Microsoft.AspNetCore.Http;

namespace Experiments.Host;

/// <summary>
/// The addresses of --urls, parsed as Kestrel parses them. Only an IP loopback address or the
/// name "localhost" (which Kestrel binds to 127.0.0.1 and ::1) is loopback; anything else —
/// 0.0.0.0, [::], * or +, any other host name (Kestrel then listens on every interface), a Unix
/// socket — counts as reachable beyond this machine.
/// </summary>
public static class Bindings
{
    public static IReadOnlyList<string> Split(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Null when every address may be used, else one sentence naming the first that may not.</summary>
    public static string? Check(string urls, bool hasToken, string tokenVariable)
    {
        var addresses = Split(urls);
        if (addresses.Count == 0) return $"--urls: '{urls}' names no address; give one such as http://127.0.0.1:5080";
        foreach (var address in addresses)
        {
            if (!TryParse(address, out var binding)) return $"--urls: '{address}' is not a URL such as http://127.0.0.1:5080";
            if (!hasToken && !IsLoopback(binding))
                return $"--urls: {address} is reachable beyond this machine; set {tokenVariable} to require a bearer token, or bind to 127.0.0.1";
        }
        return null;
    }

    private static bool TryParse(string address, out BindingAddress binding)
    {
        try
        {
            binding = BindingAddress.Parse(address);
            // Kestrel reads "http://127.0.0.1:port" as the host name "127.0.0.1:port" (then listening everywhere).
            var hostIsClean = binding.IsUnixPipe || binding.Host.StartsWith('[') || !binding.Host.Contains(':');
            return hostIsClean && (binding.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || binding.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase));
        }
        catch (FormatException)
        {
            binding = null!;
            return false;
        }
    }

    private static bool IsLoopback(BindingAddress binding)
    {
        if (binding.IsUnixPipe) return false;
        if (string.Equals(binding.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(binding.Host.Trim('[', ']'), out var ip)) return false;
        return IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
    }
}
