using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.ServiceDefaults.Auth;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Health;

/// <summary>The gateway's <c>/health/ready</c> reports its own Redis and every service behind it,
/// from one shared run of the checks per <c>Gateway:HealthCacheDuration</c>, with each check shown
/// only to callers who may read the metrics.</summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private Downstream catalog = null!;
    private Downstream orders = null!;

    public async ValueTask InitializeAsync()
    {
        catalog = await Downstream.StartAsync();
        orders = await Downstream.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await catalog.DisposeAsync();
        await orders.DisposeAsync();
    }

    private GatewayFactory Gateway(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Services:catalog"] = catalog.BaseAddress.ToString(),
            ["Gateway:Services:orders"] = orders.BaseAddress.ToString(),
            ["Gateway:HealthTimeout"] = "00:00:03",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return GatewayFactory.WithTestKey(settings);
    }

    [Fact]
    public async Task Ready_is_200_when_Redis_and_every_service_are_ready()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync("/health/ready", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var checks = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("checks");
        foreach (var name in new[] { "redis", "catalog", "orders" })
            checks.GetProperty(name).GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Ready_is_503_naming_the_service_that_is_not_ready_or_not_reachable()
    {
        await using var gateway = Gateway(("Gateway:Services:payment", Downstream.DeadAddress().ToString()));
        using var client = gateway.CreateGatewayClient();
        orders.Ready = false;
        try
        {
            using var response = await client.GetAsync("/health/ready", Cancel);

            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var checks = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("checks");
            checks.GetProperty("catalog").GetProperty("status").GetString().ShouldBe("Healthy");
            checks.GetProperty("orders").GetProperty("status").GetString().ShouldBe("Unhealthy");
            checks.GetProperty("orders").GetProperty("description").GetString().ShouldBe("orders is not ready: HTTP 503");
            checks.GetProperty("payment").GetProperty("status").GetString().ShouldBe("Unhealthy");
            checks.GetProperty("payment").GetProperty("description").GetString()!.ShouldStartWith("payment is unreachable");
        }
        finally
        {
            orders.Ready = true;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hundred_parallel_calls_cost_each_service_one_readiness_probe_and_get_one_answer(bool ordersReady)
    {
        // A long cache, so a loaded machine spreading the calls out cannot start a second run; the
        // slow probe makes the calls arrive while the first run is still going (single flight).
        await using var gateway = Gateway(("Gateway:HealthCacheDuration", "00:01:00"));
        using var client = gateway.CreateGatewayClient();
        catalog.ProbeDelay = orders.ProbeDelay = TimeSpan.FromMilliseconds(300);
        orders.Ready = ordersReady;
        try
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
            {
                using var response = await client.GetAsync("/health/ready", Cancel);
                return response.StatusCode;
            }));

            statuses.Distinct().ShouldBe([ordersReady ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable]);
            catalog.ReadinessProbes.ShouldBe(1);
            orders.ReadinessProbes.ShouldBe(1);
        }
        finally
        {
            orders.Ready = true;
        }
    }

    [Fact]
    public async Task Once_the_cached_answer_is_older_than_the_cache_duration_the_services_are_probed_again()
    {
        await using var gateway = Gateway(("Gateway:HealthCacheDuration", "00:00:00.200"));
        using var client = gateway.CreateGatewayClient();

        (await client.GetAsync("/health/ready", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromMilliseconds(600), Cancel);
        (await client.GetAsync("/health/ready", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        catalog.ReadinessProbes.ShouldBe(2);
        orders.ReadinessProbes.ShouldBe(2);
    }

    [Fact]
    public async Task A_caller_from_outside_gets_the_status_without_the_checks()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateGatewayClient();
        orders.Ready = false;
        try
        {
            // Forwarded by a proxy in front of the gateway: not a local scraper.
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var response = await client.SendAsync(request, Cancel);

            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            body.GetProperty("status").GetString().ShouldBe("Unhealthy");
            body.TryGetProperty("checks", out _).ShouldBeFalse();
        }
        finally
        {
            orders.Ready = true;
        }
    }

    [Fact]
    public async Task An_admin_from_outside_sees_each_check()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateGatewayClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready")
            .WithBearer(TestSigningKey.Instance.ValidToken(Guid.NewGuid(), Roles.Admin));
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var checks = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("checks");
        checks.GetProperty("catalog").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Live_is_200_even_when_services_are_down()
    {
        await using var gateway = Gateway(("Gateway:Services:payment", Downstream.DeadAddress().ToString()));
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync("/health/live", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
