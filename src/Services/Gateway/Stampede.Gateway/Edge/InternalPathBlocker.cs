using Microsoft.AspNetCore.Http.Features;

namespace Stampede.Gateway.Edge;

/// <summary>Answers 404 to any path with an <c>internal</c> segment — in any case, percent-encoded
/// (also twice), behind <c>;</c> parameters or dot segments — and to the services' own health and
/// API explorer paths (<c>/api/{service}/health|swagger|openapi/...</c>); the gateway's
/// <c>/health/ready</c> reports the services instead; and to paths only the outside world's systems
/// call on a service directly (the PG's webhooks, <c>/api/payment/payments/webhooks/...</c>). Such
/// requests never reach a service.</summary>
public sealed class InternalPathBlocker(RequestDelegate next, ILogger<InternalPathBlocker> logger)
{
    private static readonly HashSet<string> ServicePrivateRoots = new(StringComparer.OrdinalIgnoreCase) { "health", "swagger", "openapi" };

    // The PG calls payment's webhook directly (signed); through the gateway it would only be a way
    // for anyone to make payment verify signatures.
    private static readonly string[][] DirectOnlyPaths = [["api", "payment", "payments", "webhooks"]];

    public async Task InvokeAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!IsBlocked(context.Request.Path.Value ?? "", rawTarget))
        {
            await next(context);
            return;
        }
        logger.LogInformation("Refused {Method} {RawTarget}: not a public path", context.Request.Method, rawTarget ?? context.Request.Path);
        // An empty 404: the status-code-pages middleware turns it into the same problem detail an
        // unknown path gets, so the answer reveals nothing.
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>Checks both the decoded path and the raw request target, because servers
    /// differ in what they decode and normalise.</summary>
    public static bool IsBlocked(string path, string? rawTarget)
    {
        var rawPath = rawTarget?.Split('?', 2)[0];
        foreach (var candidate in rawPath is null ? [path] : new[] { path, rawPath })
        {
            var segments = Segments(candidate);
            if (segments.Any(s => s.Equals("internal", StringComparison.OrdinalIgnoreCase) || s is "." or ".."))
                return true;
            var meaningful = segments.Where(s => s.Length > 0).ToList();
            if (meaningful.Count >= 3 && meaningful[0].Equals("api", StringComparison.OrdinalIgnoreCase) && ServicePrivateRoots.Contains(meaningful[2]))
                return true;
            if (DirectOnlyPaths.Any(prefix => meaningful.Count >= prefix.Length
                    && prefix.Select((segment, i) => segment.Equals(meaningful[i], StringComparison.OrdinalIgnoreCase)).All(same => same)))
                return true;
        }
        return false;
    }

    private static List<string> Segments(string path)
    {
        // Decode until nothing changes, so %252F and %2569nternal cannot hide a segment.
        var decoded = path;
        for (var i = 0; i < 4; i++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded) break;
            decoded = next;
        }
        return decoded
            .Split('/', '\\')
            .Select(segment => segment.Split(';', 2)[0].Trim().Trim(Invisible))
            .ToList();
    }

    private static readonly char[] Invisible = [.. Enumerable.Range(0, 32).Select(c => (char)c), '\u007f', '\u200b', '\ufeff'];
}
