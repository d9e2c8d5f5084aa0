using System.Net;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// The loopback HTTP API of `serve`:
///   GET  /health                 the service and its actor system answer
///   GET  /sweeps                 every sweep with its state
///   POST /sweeps                 submit a spec (HOCON body); 400 with every error if invalid
///   GET  /sweeps/{name}          one sweep's status, leaderboard and trial-folds (each with its node)
///   GET  /sweeps/{name}/logs     its recent log events (?after=SEQ for newer ones; `experiments logs`)
///   POST /sweeps/{name}/cancel   cancel a running sweep
///   GET  /metrics                Prometheus text format: trial-folds per sweep, epochs journalled (<see cref="ServiceMetrics"/>)
///   GET  /dashboard/             the web dashboard, and the read-only JSON it reads (<see cref="Dashboard.DashboardEndpoints"/>)
/// Bound to 127.0.0.1 by default. Binding any address that is not provably loopback requires
/// EXPERIMENTS_API_TOKEN, and then every request must carry "Authorization: Bearer TOKEN" (all but
/// the dashboard's data-free page shell, which then asks for the token and sends it the same way).
/// Every error is a JSON body { "errors": [...] } (or { "error": ... }), never an empty page.
/// </summary>
public static class HttpApi
{
    public const string TokenVariable = "EXPERIMENTS_API_TOKEN";
    private static readonly TimeSpan AskTimeout = SweepSubmission.AskTimeout;

    /// <summary>Null when every address of --urls (separated by ';') may be used, else why not (one sentence).</summary>
    public static string? CheckBinding(string urls, string? token) => Bindings.Check(urls, !string.IsNullOrEmpty(token), TokenVariable);

    /// <summary>"Bearer TOKEN", compared in constant time (over SHA-256 digests, so the length does not show either).</summary>
    public static bool IsAuthorized(string? header, string token)
    {
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..]));
        return CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    public static void Map(WebApplication app, string? token)
    {
        app.Use(AnswerFailuresInJson);
        app.Use(string.IsNullOrEmpty(token) ? LoopbackClientsOnly : async (context, next) =>
        {
            if (!Dashboard.DashboardEndpoints.IsShell(context.Request) && !IsAuthorized(context.Request.Headers.Authorization, token))
            {
                await Error(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer token");
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
        {
            if (await Sweeps(registry).Ask<object>(new SweepProtocol.GetStatus(name), AskTimeout) is not SweepProtocol.SweepStatus status)
                return Results.NotFound(new { error = $"no sweep named '{name}'" });
            // The trial-folds (with their nodes) come from the journalled detail, as the dashboard's.
            var detail = await Sweeps(registry).Ask<object>(new SweepDetailProtocol.GetDetail(name), AskTimeout) as SweepDetailProtocol.SweepDetail;
            return Results.Ok(Describe(status, detail));
        });

        app.MapGet("/sweeps/{name}/logs", (string name, long? after, int? limit) => Results.Ok(new
        {
            events = Logging.Recent.Of(name, after ?? 0, Math.Clamp(limit ?? 500, 1, 2000)).Select(e => new
            {
                seq = e.Seq, time = e.Time, level = e.Level, message = e.Message, trial = e.TrialId, fold = e.Fold, epoch = e.Epoch, error = e.Error,
            }),
        }));

        Dashboard.DashboardEndpoints.Map(app);

        app.MapMetrics("/metrics", app.Services.GetRequiredService<ServiceMetrics>().Registry);

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
            var (body, refusal) = await SpecBody.ReadAsync(request);
            if (refusal is not null) return refusal;
            var result = SpecLoader.LoadBytes(body!, "request", Directory.GetCurrentDirectory(), DatasetFacts.SpecContext());
            var warnings = SpecReport.Warnings(result).ToArray();
            if (!result.IsValid) return Results.BadRequest(new { errors = result.Errors.Select(e => e.ToString()), warnings });
            var outcome = await SweepSubmission.SubmitAsync(Sweeps(registry), result.Sweeps);
            return outcome.Rejected.Count == 0
                ? Results.Accepted("/sweeps", new { accepted = outcome.Accepted, warnings })
                : Results.Conflict(new { accepted = outcome.Accepted, errors = outcome.Problems, warnings });
        });
    }

    /// <summary>
    /// Without a token only clients on this machine are served, whatever the listener: a guard
    /// behind the --urls check for endpoints configured elsewhere (ASPNETCORE_*, Kestrel settings).
    /// </summary>
    private static async Task LoopbackClientsOnly(HttpContext context, Func<Task> next)
    {
        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            await Error(context, StatusCodes.Status403Forbidden, $"this service takes requests from this machine only unless {TokenVariable} is set");
            return;
        }
        await next();
    }

    /// <summary>A failure inside a request is one line in the log and a JSON answer, never a stack trace.</summary>
    private static async Task AnswerFailuresInJson(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var (status, what) = e switch
            {
                BadHttpRequestException bad => (bad.StatusCode, bad.Message),
                AskTimeoutException => (StatusCodes.Status503ServiceUnavailable, $"the actor system did not answer within {AskTimeout.TotalSeconds:N0} s"),
                _ => (StatusCodes.Status500InternalServerError, $"{e.GetType().Name}: {e.Message}"),
            };
            Log.Warning("{Method} {Path} answered {Status}: {Reason}", context.Request.Method, context.Request.Path.Value, status, what);
            await Error(context, status, what);
        }
    }

    internal static Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { errors = new[] { message } });
    }

    private static IActorRef Sweeps(ActorRegistry registry) => registry.Get<SweepManagerKey>();

    private static object Describe(SweepProtocol.SweepStatus status, SweepDetailProtocol.SweepDetail? detail) => new
    {
        name = status.Name,
        state = status.State,
        trialFolds = status.TrialFolds,
        done = status.Done,
        running = status.Running,
        failed = status.Failed,
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
        trials = detail is null ? [] : Dashboard.SweepView.TrialFolds(detail),
    };
}
