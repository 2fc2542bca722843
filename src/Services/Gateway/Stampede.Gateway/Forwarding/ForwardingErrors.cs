using System.Net.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Stampede.Gateway.Resilience;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Stampede.Gateway.Forwarding;

/// <summary>The first step of YARP's pipeline: the body limit before anything goes downstream, one
/// retry of a GET whose call broke before any answer (on another destination when there is
/// one), and YARP's errors turned into problem details: 503 + <c>Retry-After</c> when no
/// destination is healthy, 503 when none can be reached, 504 on timeout, 502 on a broken answer.</summary>
public sealed class ForwardingErrors(
    BodyLimit bodyLimit, ServiceFailurePolicy failures, HealthCheckSettings health, IProblemDetailsService problems, ILogger<ForwardingErrors> logger)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        // The service's own error answers pass through as they are, bodiless ones included.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;
        if (bodyLimit.AnnouncesTooLargeBody(context))
        {
            await BodyTooLargeAsync(context, await bodyLimit.TryDiscardAnnouncedBodyAsync(context));
            return;
        }
        bodyLimit.TakeOver(context);

        var feature = context.GetReverseProxyFeature();
        // Load balancing narrows the list to the destination it picked: keep the whole choice.
        var candidates = feature.AvailableDestinations;
        await next();
        if (IsRetryable(context) && !context.Response.HasStarted)
        {
            var failed = feature.ProxiedDestination;
            feature.AvailableDestinations = candidates.Count > 1 ? candidates.Where(d => d != failed).ToList() : candidates;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            await next();
        }
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted) return;

        var service = feature.Route.Config.RouteId;
        switch (error.Error)
        {
            case ForwarderError.RequestBodyClient when BodyLimit.IsTooLarge(error.Exception):
                await BodyTooLargeAsync(context, await BodyLimit.TryDiscardRestAsync(context));
                break;
            case ForwarderError.NoAvailableDestinations:
                var retryAfter = failures.UntilFirstReturns(feature.AllDestinations) ?? health.Interval;
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {service} service is failing; the gateway is not calling it for now.");
                break;
            case ForwarderError.RequestTimedOut:
                logger.LogWarning("{Service} did not answer {Method} {Path} in time", service, context.Request.Method, context.Request.Path);
                await ProblemAsync(context, StatusCodes.Status504GatewayTimeout, "Gateway timeout", $"The {service} service did not answer in time.");
                break;
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient:
                break; // the caller hung up or broke its own body: nobody to answer
            case var _ when IsConnectionFailure(context):
                await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {service} service cannot be reached.");
                break;
            default:
                logger.LogWarning(error.Exception, "Forwarding {Method} {Path} to {Service} failed: {Error}", context.Request.Method, context.Request.Path, service, error.Error);
                await ProblemAsync(context, StatusCodes.Status502BadGateway, "Bad gateway", $"The {service} service gave no valid answer.");
                break;
        }
    }

    private static bool IsConnectionFailure(HttpContext context) =>
        context.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.Request, Exception: var exception }
        && FindHttpError(exception) == HttpRequestError.ConnectionError;

    private static HttpRequestError? FindHttpError(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is HttpRequestException http) return http.HttpRequestError;
        return null;
    }

    // Only a bodiless GET or HEAD, sent again once: a body can be sent once, and a POST may have
    // done its work before its connection dropped. A GET may be sent again whatever broke before
    // the answer began, a refused connection or a destination dying mid-request (a replica
    // killed, a restart), not a timeout: a slow service would get the load twice.
    private static bool IsRetryable(HttpContext context)
    {
        var request = context.Request;
        return context.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.Request }
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0;
    }

    private Task BodyTooLargeAsync(HttpContext context, bool connectionReusable)
    {
        // Part of the body is still unread, so the server will close the connection: say so, or
        // the caller's next request on it may find it gone.
        if (!connectionReusable) context.Response.Headers.Connection = "close";
        return ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body exceeds the allowed size.");
    }

    private async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
