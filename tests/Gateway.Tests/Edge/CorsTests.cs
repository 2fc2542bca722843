using System.Net;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Edge;

/// <summary>CORS comes from configuration; the gateway answers preflights itself.</summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string Shop = "https://shop.example";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private Downstream echo = null!;
    private GatewayFactory gateway = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await Downstream.StartAsync();
        gateway = GatewayFactory.WithTestKey(new Dictionary<string, string?>
        {
            ["Gateway:Services:orders"] = echo.BaseAddress.ToString(),
            ["Gateway:Cors:AllowedOrigins:0"] = Shop,
            ["Gateway:AnonymousRoutes:0"] = "GET /api/orders/echo/**",
        });
        client = gateway.CreateGatewayClient();
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await gateway.DisposeAsync();
        await echo.DisposeAsync();
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/orders/orders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,idempotency-key");
        return request;
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_by_the_gateway_without_a_token()
    {
        var before = echo.Calls;

        using var response = await client.SendAsync(Preflight(Shop), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([Shop]);
        response.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldContain("POST");
        var allowedHeaders = response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        foreach (var header in new[] { "authorization", "content-type", "idempotency-key" }) allowedHeaders.ShouldContain(header);
        echo.Calls.ShouldBe(before);
    }

    [Fact]
    public async Task A_preflight_from_another_origin_gets_no_permission()
    {
        using var response = await client.SendAsync(Preflight("https://evil.example"), Cancel);

        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task A_cross_origin_call_may_read_the_request_id_and_retry_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/echo/x");
        request.Headers.Add("Origin", Shop);

        using var response = await client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([Shop]);
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        foreach (var header in new[] { "X-Request-Id", "Retry-After", "Location" }) exposed.ShouldContain(header);
    }
}
