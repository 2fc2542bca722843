using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Health;

/// <summary>The gateway's <c>/health/ready</c> reports its own Redis and every service behind it.</summary>
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

    [Fact]
    public async Task Live_is_200_even_when_services_are_down()
    {
        await using var gateway = Gateway(("Gateway:Services:payment", Downstream.DeadAddress().ToString()));
        using var client = gateway.CreateGatewayClient();

        using var response = await client.GetAsync("/health/live", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
