using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Experiments.Host.Dashboard;

/// <summary>
/// The web dashboard of `serve`, on the API's port:
///   GET /dashboard/                                   the sweeps (pages: sweeps/{name}, sweeps/{name}/trials/{trial})
///   GET /dashboard/assets/{file}                      its script and style, embedded in this assembly
///   GET /sweeps/{name}/trials                         leaderboard, learning curves and trial-folds as JSON
///   GET /sweeps/{name}/trials/{trial}                 one trial-fold's epochs and outcome as JSON
///   GET /sweeps/{name}/trials/{trial}/samples/{file}  a GAN sample grid (samples-epoch-NNN.png)
/// The pages are a shell with no data in it; everything they show comes from the JSON endpoints
/// (and /sweeps, /sweeps/{name}/logs), which stay behind the API's token rule.
/// </summary>
public static class DashboardEndpoints
{
    public const string Root = "/dashboard";

    /// <summary>
    /// The shell and its assets: served without the bearer token (a browser cannot send a header
    /// when it opens a page) because they hold no data; the script sends the token with every data request.
    /// </summary>
    public static bool IsShell(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.Value is { } path && (path == Root || path.StartsWith(Root + "/", StringComparison.Ordinal));

    public static void Map(WebApplication app)
    {
        app.MapGet(Root, Page); // routing ignores a trailing slash: /dashboard and /dashboard/ both
        app.MapGet(Root + "/sweeps/{name}", Page);
        app.MapGet(Root + "/sweeps/{name}/trials/{trial}", Page);
        app.MapGet(Root + "/assets/{file}", (string file, HttpContext context) =>
        {
            if (DashboardAssets.Find(file) is not { } asset) return Results.NotFound(new { error = $"no dashboard asset named '{file}'" });
            Secure(context);
            return Results.Bytes(asset.Content, asset.ContentType);
        });

        app.MapGet("/sweeps/{name}/trials", async (string name, ActorRegistry registry) =>
            await DetailOf(registry, name) is { } detail ? Results.Ok(SweepView.Of(detail)) : NoSweep(name));

        app.MapGet("/sweeps/{name}/trials/{trial}", async (string name, string trial, ActorRegistry registry) =>
        {
            if (await DetailOf(registry, name) is not { } detail) return NoSweep(name);
            return SweepView.TrialOf(detail, trial) is { } view ? Results.Ok(view) : Results.NotFound(new { error = $"sweep '{name}' has no trial '{trial}'" });
        });

        app.MapGet("/sweeps/{name}/trials/{trial}/samples/{file}", async (string name, string trial, string file, ActorRegistry registry) =>
        {
            if (await DetailOf(registry, name) is not { } detail) return NoSweep(name);
            // Only a sample grid of a trial the journal knows: the name never reaches the file system otherwise.
            var history = detail.Trials.FirstOrDefault(t => t.Key.Name == trial);
            var path = history is null || !SweepView.IsSampleFile(file) ? null : Path.Combine(SweepView.TrialDirectory(detail, history.Key), file);
            return path is not null && File.Exists(path)
                ? Results.File(await File.ReadAllBytesAsync(path), "image/png")
                : Results.NotFound(new { error = $"sweep '{name}' has no sample grid '{file}' for '{trial}'" });
        });
    }

    private static IResult Page(HttpContext context)
    {
        Secure(context);
        return Results.Bytes(DashboardAssets.Find("index.html")!.Content, "text/html; charset=utf-8");
    }

    /// <summary>Nothing but this program's own script, style and images may load: no CDN, no inline script.</summary>
    private static void Secure(HttpContext context)
    {
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
    }

    private static async Task<SweepDetailProtocol.SweepDetail?> DetailOf(ActorRegistry registry, string name) =>
        await registry.Get<SweepManagerKey>().Ask<object>(new SweepDetailProtocol.GetDetail(name), SweepSubmission.AskTimeout) as SweepDetailProtocol.SweepDetail;

    private static IResult NoSweep(string name) => Results.NotFound(new { error = $"no sweep named '{name}'" });
}
