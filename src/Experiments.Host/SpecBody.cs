using Experiments.Core.Spec;
using Microsoft.AspNetCore.Http;
using Serilog;

namespace Experiments.Host;

/// <summary>
/// The body of POST /sweeps: the spec's bytes, read up to the limit and no further, or the JSON
/// answer that refuses it (413 too large, 415 a form upload, 400 empty or cut short).
/// </summary>
public static class SpecBody
{
    private const string HowToSend = "send the spec file itself as the body (curl --data-binary @FILE)";

    public static async Task<(byte[]? Body, IResult? Refusal)> ReadAsync(HttpRequest request)
    {
        if (request.ContentType is { } type && type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            return (null, Refuse(StatusCodes.Status415UnsupportedMediaType, $"request: a {type.Split(';')[0]} upload is not a spec; {HowToSend}"));
        if (request.ContentLength > SpecLoader.MaxBytes) return (null, TooLarge(request, request.ContentLength.Value));
        var buffer = new byte[SpecLoader.MaxBytes + 1];
        var total = 0;
        try
        {
            int n;
            while (total < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(total), request.HttpContext.RequestAborted)) > 0) total += n;
        }
        catch (BadHttpRequestException e)
        {
            return (null, Refuse(e.StatusCode, $"request: the body could not be read ({e.Message})"));
        }
        if (total > SpecLoader.MaxBytes) return (null, TooLarge(request, null));
        if (total == 0) return (null, Refuse(StatusCodes.Status400BadRequest, $"request: the body is empty; {HowToSend}"));
        return (buffer[..total], null);
    }

    private static IResult TooLarge(HttpRequest request, long? length)
    {
        Log.Warning("Refused POST {Path} from {Client}: {Bytes} bytes, more than the {Limit} a spec may have",
            request.Path.Value, request.HttpContext.Connection.RemoteIpAddress?.ToString(), length?.ToString("N0") ?? "more", SpecLoader.MaxBytes.ToString("N0"));
        var size = length is { } known ? $"{known:N0} bytes" : "larger than that";
        return Refuse(StatusCodes.Status413PayloadTooLarge, $"request: a spec may have at most {SpecLoader.MaxBytes:N0} bytes; this one is {size}");
    }

    private static IResult Refuse(int status, string error) => Results.Json(new { errors = new[] { error } }, statusCode: status);
}
