using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stampede.ServiceDefaults.Health;

/// <summary>A service whose <c>/health/ready</c> must answer otherwise than by running its ready
/// checks on every call and showing each registers one (the gateway, which is public, does).</summary>
public interface IReadinessEndpoint
{
    Task AnswerAsync(HttpContext context);
}

public static class HealthEndpoints
{
    /// <summary>Checks tagged with this run for <c>/health/ready</c>: the service's own stores and broker.</summary>
    public const string ReadyTag = "ready";

    public static bool IsReadyCheck(HealthCheckRegistration check) => check.Tags.Contains(ReadyTag);

    public static void MapHealthEndpoints(this WebApplication app)
    {
        // Live: the process answers. Ready: everything it needs answers too.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (c, r) => WriteReportAsync(c, r) })
            .AllowAnonymous();
        if (app.Services.GetService<IReadinessEndpoint>() is { } readiness)
            app.Map("/health/ready", readiness.AnswerAsync).AllowAnonymous();
        else
            app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = IsReadyCheck, ResponseWriter = (c, r) => WriteReportAsync(c, r) })
                .AllowAnonymous();
    }

    /// <summary>The report as JSON: its status and duration, and each check unless <paramref name="withChecks"/> is false.</summary>
    public static Task WriteReportAsync(HttpContext context, HealthReport report, bool withChecks = true)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["durationMs"] = (long)report.TotalDuration.TotalMilliseconds,
        };
        if (withChecks)
        {
            body["checks"] = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                durationMs = (long)e.Value.Duration.TotalMilliseconds,
            });
        }

        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
