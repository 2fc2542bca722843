using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stampede.ServiceDefaults.Http;

/// <summary>Takes the caller's <c>X-Request-Id</c> (or makes one), echoes it, and puts it in the
/// log scope so every line of one request can be found together across services.</summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = context.Request.Headers[HeaderName].ToString();
        if (!IsAcceptable(requestId))
        {
            requestId = Guid.CreateVersion7().ToString("N");
            context.Request.Headers[HeaderName] = requestId;
        }
        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId }))
        {
            await next(context);
        }
    }

    // A caller-supplied id ends up in logs and headers: keep it short and plain.
    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
