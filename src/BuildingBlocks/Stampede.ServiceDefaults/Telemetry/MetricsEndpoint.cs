using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.ServiceDefaults.Telemetry;

/// <summary><c>GET /metrics</c>: the service's meters in the Prometheus text format.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>Maps the scrape endpoint. It answers a scraper on this machine (a loopback connection
    /// that no proxy forwarded) or an authenticated admin; anyone else gets a 403. The gateway is the
    /// only public process, and it forwards with X-Forwarded-For, so a caller from outside never reads
    /// the metrics of the gateway or of a service behind it.</summary>
    public static void MapMetricsEndpoint(this WebApplication app)
    {
        // The exporter's endpoint is a plain request delegate (endpoint filters do not apply): the
        // check runs in its branched pipeline instead.
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (MayRead(context))
            {
                await next(context);
                return;
            }

            await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Metrics are for local scrapers and admins.",
                detail: "Scrape from the machine itself, or authenticate as an admin.").ExecuteAsync(context);
        }), optionsName: null).AllowAnonymous();
    }

    /// <summary>Loopback without any forwarding header, or an admin's token.</summary>
    public static bool MayRead(HttpContext context)
    {
        if (context.User.IsAdmin())
        {
            return true;
        }

        var headers = context.Request.Headers;
        var forwarded = headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Real-IP");
        return !forwarded && context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
    }
}
