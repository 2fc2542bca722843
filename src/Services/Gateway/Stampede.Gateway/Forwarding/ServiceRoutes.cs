using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Stampede.Gateway.Resilience;

namespace Stampede.Gateway.Forwarding;

/// <summary>The services behind the gateway (<c>Gateway:Services:{name}</c> = base URL), e.g.
/// <c>Gateway__Services__identity=http://127.0.0.1:5101</c>.</summary>
public sealed class ServiceDirectory
{
    public const string Section = "Gateway:Services";
    private readonly Dictionary<string, Uri> services;

    public ServiceDirectory(IEnumerable<KeyValuePair<string, Uri>> services) =>
        this.services = new Dictionary<string, Uri>(services, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, Uri> All => services;

    public static ServiceDirectory From(IConfiguration configuration) =>
        new(configuration.GetSection(Section).GetChildren()
            .Where(child => !string.IsNullOrWhiteSpace(child.Value))
            .Select(child => KeyValuePair.Create(child.Key,
                Uri.TryCreate(child.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri
                    : throw new InvalidOperationException($"{Section}:{child.Key} must be an absolute http(s) URL, not '{child.Value}'."))));

    public bool TryGet(string service, [NotNullWhen(true)] out Uri? baseAddress) => services.TryGetValue(service, out baseAddress);
}

/// <summary>Marks the endpoint that forwards to services, so the edge checks (rate limits, token)
/// apply to it and not to the gateway's own health and explorer endpoints.</summary>
public sealed class ForwardedRouteMetadata;

public static class ServiceRoutes
{
    public const string Pattern = "/api/{service}/{**rest}";

    public static IEndpointConventionBuilder MapServiceRoutes(this IEndpointRouteBuilder app) =>
        app.Map(Pattern, ForwardAsync)
            .WithMetadata(new ForwardedRouteMetadata())
            .ExcludeFromDescription();

    private static async Task<IResult> ForwardAsync(
        string service, HttpContext context, ServiceDirectory directory, ServiceBreakers breakers, HttpForwarder forwarder, ILogger<HttpForwarder> logger)
    {
        if (!directory.TryGet(service, out var serviceBase))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown service", detail: $"No service is routed at /api/{service}.");
        forwarder.TakeOverBodyLimit(context);
        if (forwarder.AnnouncesTooLargeBody(context)) return BodyTooLarge(context, await forwarder.TryDiscardAnnouncedBodyAsync(context));

        var target = TargetFor(context.Request, service, serviceBase);
        var resilience = ResilienceContextPool.Shared.Get(context.RequestAborted);
        resilience.Properties.Set(ServiceBreakers.MayRetryConnectFailure, IsRetryable(context.Request));
        HttpResponseMessage? response = null;
        try
        {
            response = await breakers.For(service).ExecuteAsync(
                static async (attempt, state) =>
                {
                    var (forwarder, context, target) = state;
                    return await forwarder.SendAsync(forwarder.CreateRequest(context, target), attempt.CancellationToken);
                },
                resilience, (forwarder, context, target));
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return BodyTooLarge(context, await forwarder.TryDiscardRestOfBodyAsync(context));
        }
        catch (BrokenCircuitException open)
        {
            var retryAfter = open.RetryAfter ?? breakers.Settings.BreakDuration;
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
            return ServiceProblem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {service} service is failing; the gateway is not calling it for now.");
        }
        catch (TimeoutRejectedException)
        {
            logger.LogWarning("{Service} did not answer {Method} {Path} within {Timeout}", service, context.Request.Method, context.Request.Path, breakers.TimeoutFor(service));
            return ServiceProblem(StatusCodes.Status504GatewayTimeout, "Gateway timeout", $"The {service} service did not answer in time.");
        }
        catch (HttpRequestException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("Forwarding {Method} {Path} to {Service} failed: {Error} {Message}", context.Request.Method, context.Request.Path, service, ex.HttpRequestError, ex.Message);
            return ex.HttpRequestError == HttpRequestError.ConnectionError
                ? ServiceProblem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The {service} service cannot be reached.")
                : ServiceProblem(StatusCodes.Status502BadGateway, "Bad gateway", $"The {service} service gave no valid answer.");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }

        using (response)
        {
            try
            {
                await forwarder.CopyResponseAsync(context, response, target, context.RequestAborted);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
            {
                // Status and headers may be on the wire already: the only honest signal left is a broken connection.
                if (!context.RequestAborted.IsCancellationRequested)
                    logger.LogWarning("The response of {Service} to {Method} {Path} broke off: {Message}", service, context.Request.Method, context.Request.Path, ex.Message);
                context.Abort();
            }
            finally
            {
                response.RequestMessage?.Dispose();
            }
        }
        return Results.Empty;
    }

    /// <summary><c>/api/identity/users/me?x=1</c> to <c>{identity base}/users/me?x=1</c>.</summary>
    public static ForwardTarget TargetFor(HttpRequest request, string service, Uri serviceBase)
    {
        var prefix = new PathString("/api/" + service);
        request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase, out var matchedPrefix, out var rest);
        var destination = new Uri(serviceBase.GetLeftPart(UriPartial.Path).TrimEnd('/') + rest.ToUriComponent() + request.QueryString.ToUriComponent());
        return new ForwardTarget(destination, serviceBase, matchedPrefix);
    }

    // A body can be sent once, and a POST may have done its work before the connection dropped.
    private static bool IsRetryable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0;

    private static ProblemHttpResult BodyTooLarge(HttpContext context, bool connectionReusable)
    {
        // Part of the body is still unread, so the server will close the connection: say so, or
        // the caller's next request on it may find it gone.
        if (!connectionReusable) context.Response.Headers.Connection = "close";
        return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: "The request body exceeds the allowed size.");
    }

    private static ProblemHttpResult ServiceProblem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
