using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Experiments.Host;

/// <summary>
/// The loopback HTTP API of `serve`:
///   GET  /health                 the service and its actor system answer
///   GET  /sweeps                 every sweep with its state
///   POST /sweeps                 submit a spec (HOCON body); 400 with every error if invalid
///   GET  /sweeps/{name}          one sweep's status and leaderboard
///   POST /sweeps/{name}/cancel   cancel a running sweep
/// Bound to 127.0.0.1 by default. Binding elsewhere requires EXPERIMENTS_API_TOKEN, and then
/// every request must carry "Authorization: Bearer TOKEN".
/// </summary>
public static class HttpApi
{
    public const string TokenVariable = "EXPERIMENTS_API_TOKEN";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Null when the URL may be used, else why not.</summary>
    public static string? CheckBinding(string url, string? token)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return $"--urls: '{url}' is not a URL such as http://127.0.0.1:5080";
        var loopback = uri.Host == "localhost" || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
        return loopback || !string.IsNullOrEmpty(token)
            ? null
            : $"--urls: {url} is reachable beyond this machine; set {TokenVariable} to require a bearer token, or bind to 127.0.0.1";
    }

    public static void Map(WebApplication app, string? token)
    {
        if (!string.IsNullOrEmpty(token))
            app.Use(async (context, next) =>
            {
                if (context.Request.Headers.Authorization != $"Bearer {token}")
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsJsonAsync(new { error = "missing or wrong bearer token" });
                    return;
                }
                await next();
            });

        app.MapGet("/health", async (ActorRegistry registry) =>
        {
            var list = await Sweeps(registry).Ask<SweepProtocol.SweepList>(new SweepProtocol.ListSweeps(), AskTimeout);
            return Results.Ok(new { status = "healthy", sweeps = list.Sweeps.Length });
        });

        app.MapGet("/sweeps", async (ActorRegistry registry) =>
        {
            var list = await Sweeps(registry).Ask<SweepProtocol.SweepList>(new SweepProtocol.ListSweeps(), AskTimeout);
            return Results.Ok(list.Sweeps.Select(s => new { name = s.Name, state = s.State, trialFolds = s.TrialFolds, done = s.Done, running = s.Running }));
        });

        app.MapGet("/sweeps/{name}", async (string name, ActorRegistry registry) =>
            await Sweeps(registry).Ask<object>(new SweepProtocol.GetStatus(name), AskTimeout) switch
            {
                SweepProtocol.SweepStatus status => Results.Ok(Describe(status)),
                _ => Results.NotFound(new { error = $"no sweep named '{name}'" }),
            });

        app.MapPost("/sweeps/{name}/cancel", async (string name, ActorRegistry registry) =>
        {
            var manager = Sweeps(registry);
            if (await manager.Ask<object>(new SweepProtocol.GetStatus(name), AskTimeout) is not SweepProtocol.SweepStatus)
                return Results.NotFound(new { error = $"no sweep named '{name}'" });
            manager.Tell(new SweepProtocol.Cancel(name));
            return Results.Accepted($"/sweeps/{name}", new { cancelling = name });
        });

        app.MapPost("/sweeps", async (HttpRequest request, ActorRegistry registry) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (body.Length > SpecLoader.MaxBytes) return Results.BadRequest(new { errors = new[] { $"request: larger than {SpecLoader.MaxBytes} bytes" } });
            var result = SpecLoader.LoadBytes(body.ToArray(), "request", Directory.GetCurrentDirectory(), DatasetFacts.SpecContext());
            var warnings = SpecReport.Warnings(result).ToArray();
            if (!result.IsValid) return Results.BadRequest(new { errors = result.Errors.Select(e => e.ToString()), warnings });
            var accepted = new List<string>();
            var rejected = new List<string>();
            foreach (var spec in result.Sweeps)
            {
                var reply = await Sweeps(registry).Ask<object>(new SweepProtocol.SubmitSweep(spec), AskTimeout);
                if (reply is SweepProtocol.SweepRejected no) rejected.Add($"{no.Name}: {no.Reason}");
                else accepted.Add(spec.Name);
            }
            return rejected.Count == 0
                ? Results.Accepted("/sweeps", new { accepted, warnings })
                : Results.Conflict(new { accepted, errors = rejected, warnings });
        });
    }

    private static IActorRef Sweeps(ActorRegistry registry) => registry.Get<SweepManagerKey>();

    private static object Describe(SweepProtocol.SweepStatus status) => new
    {
        name = status.Name,
        state = status.State,
        trialFolds = status.TrialFolds,
        done = status.Done,
        running = status.Running,
        leaderboard = status.Leaderboard.Select(r => new
        {
            rank = r.Rank,
            config = r.Config.Id,
            parameters = r.Config.Parameters.ToPlainValues(),
            mean = r.Mean,
            sd = r.StdDev,
            folds = r.FoldsWithResult,
            epochs = r.MeanEpochs,
            state = r.State,
        }),
    };
}
