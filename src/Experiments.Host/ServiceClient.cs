using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Experiments.Core.Trials;

namespace Experiments.Host;

/// <summary>
/// The command-line client of a running `serve`: submit, status, cancel and logs over its HTTP
/// API. The token comes from EXPERIMENTS_API_TOKEN, as the service's. A service that does not
/// answer gets one sentence saying where it was looked for, never a stack trace.
/// </summary>
public sealed class ServiceClient(string url, TextWriter output, TextWriter errors) : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    /// <summary>Nobody answers at the URL, or the service refused the request (token, not found).</summary>
    public const int Unreachable = 3;

    private readonly HttpClient _http = Create(url);

    private static HttpClient Create(string url)
    {
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (Environment.GetEnvironmentVariable(HttpApi.TokenVariable) is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public Task<int> SubmitAsync(string file, CancellationToken cancellation) => Guard(async () =>
    {
        if (!File.Exists(file))
        {
            errors.WriteLine($"{file}: no such file");
            return ExitCodes.InvalidInput;
        }
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellation));
        using var response = await _http.PostAsync("sweeps", content, cancellation);
        var body = await Json(response, cancellation);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            foreach (var name in body.GetProperty("accepted").EnumerateArray()) output.WriteLine($"accepted: {name.GetString()}");
            return ExitCodes.Success;
        }
        if (!IsAnswer(response)) return Refused(response, body);
        if (body.TryGetProperty("accepted", out var some)) foreach (var name in some.EnumerateArray()) output.WriteLine($"accepted: {name.GetString()}");
        foreach (var error in body.GetProperty("errors").EnumerateArray()) errors.WriteLine(error.GetString());
        return ExitCodes.InvalidInput;
    }, cancellation);

    public Task<int> StatusAsync(string? sweep, CancellationToken cancellation) => Guard(async () =>
    {
        using var response = await _http.GetAsync(sweep is null ? "sweeps" : $"sweeps/{Uri.EscapeDataString(sweep)}", cancellation);
        var body = await Json(response, cancellation);
        if (response.StatusCode != HttpStatusCode.OK) return Refused(response, body);
        if (sweep is null)
        {
            output.WriteLine("| sweep | state | done | running |");
            output.WriteLine("|---|---|---:|---:|");
            foreach (var s in body.EnumerateArray())
                output.WriteLine($"| {s.GetProperty("name").GetString()} | {s.GetProperty("state").GetString()} | {s.GetProperty("done").GetInt32()}/{s.GetProperty("trialFolds").GetInt32()} | {s.GetProperty("running").GetInt32()} |");
            return ExitCodes.Success;
        }
        output.WriteLine($"{body.GetProperty("name").GetString()}: {body.GetProperty("state").GetString()}, {body.GetProperty("done").GetInt32()}/{body.GetProperty("trialFolds").GetInt32()} trial-folds done, {body.GetProperty("running").GetInt32()} running");
        foreach (var row in body.GetProperty("leaderboard").EnumerateArray())
        {
            var mean = row.GetProperty("mean").ValueKind == JsonValueKind.Number ? row.GetProperty("mean").GetDouble() : (double?)null;
            output.WriteLine($"  {row.GetProperty("rank").GetInt32(),3}. config {row.GetProperty("config").GetInt32()}: {Readable.Number(mean)} ({row.GetProperty("state").GetString()})");
        }
        if (body.TryGetProperty("trials", out var trials))
            foreach (var trial in trials.EnumerateArray()) output.WriteLine($"  {TrialFoldLine(trial)}");
        return ExitCodes.Success;
    }, cancellation);

    /// <summary>"trial-0-fold-1: running on 127.0.0.1:4061, 2 epochs" (or "waiting for a slot", or "completed on NODE").</summary>
    private static string TrialFoldLine(JsonElement trial)
    {
        var status = trial.GetProperty("status").GetString();
        var node = trial.GetProperty("node").ValueKind == JsonValueKind.String ? trial.GetProperty("node").GetString() : null;
        var where = (status, node) switch
        {
            ("running", null) => "waiting for a slot",
            (_, null) => status,
            _ => $"{status} on {node}",
        };
        var epochs = trial.GetProperty("epochs").GetInt32();
        return $"{trial.GetProperty("name").GetString()}: {where}, {epochs} epoch{(epochs == 1 ? "" : "s")}";
    }

    public Task<int> CancelAsync(string sweep, CancellationToken cancellation) => Guard(async () =>
    {
        using var response = await _http.PostAsync($"sweeps/{Uri.EscapeDataString(sweep)}/cancel", null, cancellation);
        var body = await Json(response, cancellation);
        if (response.StatusCode != HttpStatusCode.Accepted) return Refused(response, body);
        output.WriteLine($"cancelling: {sweep}");
        return ExitCodes.Success;
    }, cancellation);

    /// <summary>The sweep's recent log events; with <paramref name="follow"/>, keeps printing new ones until cancelled.</summary>
    public Task<int> LogsAsync(string sweep, bool follow, CancellationToken cancellation) => Guard(async () =>
    {
        long after = 0;
        while (true)
        {
            using var response = await _http.GetAsync($"sweeps/{Uri.EscapeDataString(sweep)}/logs?after={after}", cancellation);
            var body = await Json(response, cancellation);
            if (response.StatusCode != HttpStatusCode.OK) return Refused(response, body);
            foreach (var e in body.GetProperty("events").EnumerateArray())
            {
                after = e.GetProperty("seq").GetInt64();
                output.WriteLine($"{e.GetProperty("time").GetDateTimeOffset().ToLocalTime():HH:mm:ss} {Level(e.GetProperty("level").GetString())} {e.GetProperty("message").GetString()}");
            }
            if (!follow) return ExitCodes.Success;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
        }
    }, cancellation);

    private static string Level(string? level) => level switch
    {
        "Information" => "INF", "Warning" => "WRN", "Error" => "ERR", "Fatal" => "FTL", "Debug" => "DBG", _ => "VRB",
    };

    private async Task<int> Guard(Func<Task<int>> call, CancellationToken cancellation)
    {
        try { return await call(); }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ExitCodes.Success; // Ctrl-C
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            errors.WriteLine($"No Experiments service answers at {_http.BaseAddress}: start one with `experiments serve`, or pass --url");
            return Unreachable;
        }
        catch (TaskCanceledException)
        {
            errors.WriteLine($"The service at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s");
            return Unreachable;
        }
        catch (JsonException)
        {
            errors.WriteLine($"{_http.BaseAddress} answered, but not as an Experiments service does");
            return Unreachable;
        }
    }

    private static bool IsAnswer(HttpResponseMessage response) => response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict;

    private int Refused(HttpResponseMessage response, JsonElement body)
    {
        var reason = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) ? error.GetString() : response.ReasonPhrase;
        errors.WriteLine($"{(int)response.StatusCode} {reason}");
        return response.StatusCode == HttpStatusCode.NotFound ? ExitCodes.SweepFailed : Unreachable;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken cancellation)
    {
        var text = await response.Content.ReadAsStringAsync(cancellation);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
