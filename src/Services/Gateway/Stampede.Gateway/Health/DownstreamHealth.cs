using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stampede.Gateway.Forwarding;
using Stampede.ServiceDefaults.Health;

namespace Stampede.Gateway.Health;

public static class DownstreamHealth
{
    public const string ClientName = "downstream-health";

    /// <summary>One readiness check per routed service, named after it, asking the service's own
    /// <c>/health/ready</c>. The health endpoint runs all checks at once, so the gateway's
    /// <c>/health/ready</c> takes as long as the slowest service, at most
    /// <c>Gateway:HealthTimeout</c> (2 s).</summary>
    public static void AddDownstreamHealthChecks(this WebApplicationBuilder builder, ServiceDirectory directory)
    {
        var timeout = builder.Configuration.GetValue("Gateway:HealthTimeout", TimeSpan.FromSeconds(2));
        builder.Services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, ConnectTimeout = timeout });
        var checks = builder.Services.AddHealthChecks();
        foreach (var (service, baseAddress) in directory.All)
        {
            checks.Add(new HealthCheckRegistration(
                service,
                sp => new DownstreamHealthCheck(service, baseAddress, sp.GetRequiredService<IHttpClientFactory>(), timeout),
                HealthStatus.Unhealthy,
                [HealthEndpoints.ReadyTag]));
        }
    }
}

internal sealed class DownstreamHealthCheck(string service, Uri baseAddress, IHttpClientFactory clients, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await clients.CreateClient(DownstreamHealth.ClientName)
                .GetAsync(new Uri(baseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/health/ready"), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{service} is ready ({elapsed.TotalMilliseconds:0} ms)")
                : HealthCheckResult.Unhealthy($"{service} is not ready: HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{service} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy($"{service} is unreachable ({ex.HttpRequestError})");
        }
    }
}
