using System.Collections.Concurrent;

namespace Experiments.Host.Dashboard;

/// <summary>The dashboard's files (Dashboard/Assets/*), embedded in this assembly as dashboard/NAME: nothing is fetched from elsewhere.</summary>
public static class DashboardAssets
{
    public sealed record Asset(byte[] Content, string ContentType);

    private static readonly ConcurrentDictionary<string, Asset?> Loaded = new(StringComparer.Ordinal);

    /// <summary>Null for a name that is not one of the embedded files.</summary>
    public static Asset? Find(string name) => Loaded.GetOrAdd(name, Load);

    private static Asset? Load(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("dashboard/" + name);
        if (type is null || stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(copy.ToArray(), type);
    }
}
