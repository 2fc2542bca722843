using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stampede.Gateway.Forwarding;
using Stampede.ServiceDefaults.Health;

namespace Stampede.Gateway.Health;

public static class DownstreamHealth
{
    public const string ClientName = "downstream-health";

    /// <summary>Sent with every readiness probe, so a service's log tells these probes apart from YARP's.</summary>
    public const string UserAgent = "Stampede-Gateway-Readiness";

    /// <summary>One readiness check per routed service, named after it, asking each destination's
    /// own <c>/health/ready</c>: the service is ready when at least one destination is. The checks
    /// run all at once, so a run takes as long as the slowest destination, at most
    /// <c>Gateway:HealthTimeout</c> (2 s); <see cref="CachedReadiness"/> shares one run among callers.</summary>
    public static void AddDownstreamHealthChecks(this WebApplicationBuilder builder, ServiceDirectory directory)
    {
        var timeout = builder.Configuration.GetValue("Gateway:HealthTimeout", TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<IReadinessEndpoint, CachedReadiness>();
        builder.Services.AddHttpClient(ClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, ConnectTimeout = timeout });
        var checks = builder.Services.AddHealthChecks();
        foreach (var (service, destinations) in directory.All)
        {
            checks.Add(new HealthCheckRegistration(
                service,
                sp => new DownstreamHealthCheck(service, destinations, sp.GetRequiredService<IHttpClientFactory>(), timeout),
                HealthStatus.Unhealthy,
                [HealthEndpoints.ReadyTag]));
        }
    }
}

internal sealed class DownstreamHealthCheck(string service, IReadOnlyList<Uri> destinations, IHttpClientFactory clients, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var answers = await Task.WhenAll(destinations.Select(destination => AskAsync(destination, cancellationToken)));
        if (destinations.Count == 1)
            return answers[0].Ready ? HealthCheckResult.Healthy($"{service} {answers[0].Text}") : HealthCheckResult.Unhealthy($"{service} {answers[0].Text}");
        var ready = answers.Count(a => a.Ready);
        var detail = $"{service}: {ready} of {destinations.Count} destinations ready ({string.Join("; ", destinations.Zip(answers, (d, a) => $"{d.Authority} {a.Text}"))})";
        return ready > 0 ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Unhealthy(detail);
    }

    private async Task<(bool Ready, string Text)> AskAsync(Uri baseAddress, CancellationToken cancellationToken)
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
                ? (true, $"is ready ({elapsed.TotalMilliseconds:0} ms)")
                : (false, $"is not ready: HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"is unreachable ({ex.HttpRequestError})");
        }
    }
}
