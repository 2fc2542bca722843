using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stampede.ServiceDefaults.Health;
using Stampede.ServiceDefaults.Telemetry;

namespace Stampede.Gateway.Health;

/// <summary>The gateway's <c>/health/ready</c>, which anyone may call: one run of the ready checks
/// (Redis and every service's own readiness) answers every caller for <c>Gateway:HealthCacheDuration</c>
/// (1 s) after it ends, and callers arriving while it runs wait for that run, so a flood of calls
/// costs each service one probe per period. Callers allowed to read <c>/metrics</c> (a local
/// scraper, an admin) see each check; anyone else gets only the status.</summary>
public sealed class CachedReadiness(HealthCheckService health, TimeProvider time, IConfiguration configuration) : IReadinessEndpoint
{
    private readonly TimeSpan cacheDuration = configuration.GetValue("Gateway:HealthCacheDuration", TimeSpan.FromSeconds(1));
    private readonly Lock gate = new();
    private Task<HealthReport>? current;
    private DateTimeOffset freshUntil;

    public async Task AnswerAsync(HttpContext context)
    {
        var report = await ReportAsync().WaitAsync(context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        await HealthEndpoints.WriteReportAsync(context, report, withChecks: MetricsEndpoint.MayRead(context));
    }

    /// <summary>The running check, or the last one while it is fresh, or a new one.</summary>
    public Task<HealthReport> ReportAsync()
    {
        lock (gate)
        {
            if (current is { } run && (!run.IsCompleted || (run.IsCompletedSuccessfully && time.GetUtcNow() < freshUntil)))
                return run;
            current = RunAsync();
            return current;
        }
    }

    // Not tied to any caller's request: one caller hanging up must not cancel the answer the others wait for.
    private async Task<HealthReport> RunAsync()
    {
        var report = await health.CheckHealthAsync(HealthEndpoints.IsReadyCheck, CancellationToken.None);
        lock (gate) freshUntil = time.GetUtcNow() + cacheDuration;
        return report;
    }
}
