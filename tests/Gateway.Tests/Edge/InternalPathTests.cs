using System.Net;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Edge;

public sealed class EchoGatewayFixture : IAsyncLifetime
{
    public Downstream Echo { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Echo = await Downstream.StartAsync();
        Gateway = GatewayFactory.WithTestKey(new Dictionary<string, string?>
        {
            ["Gateway:Services:echo"] = Echo.BaseAddress.ToString(),
            // payment's paths land on the echo, so a forwarded one answers 200.
            ["Gateway:Services:payment"] = new Uri(Echo.BaseAddress, "/echo").ToString(),
            ["Gateway:AnonymousRoutes:0"] = "* /api/echo/**",
            ["Gateway:AnonymousRoutes:1"] = "* /api/payment/**",
        });
        Client = Gateway.CreateGatewayClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Echo.DisposeAsync();
    }
}

/// <summary>No <c>/internal</c> endpoint of any service is reachable through the gateway, however
/// the path is spelled, and neither are the services' own health and explorer paths, nor the PG's
/// webhooks, which the PG sends to payment directly.</summary>
public sealed class InternalPathTests(EchoGatewayFixture fixture) : IClassFixture<EchoGatewayFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/echo/internal/stock")]
    [InlineData("/api/echo/Internal/stock")]
    [InlineData("/api/echo/INTERNAL")]
    [InlineData("/api/echo/internal/")]
    [InlineData("/api/echo/%69nternal/stock")]
    [InlineData("/api/echo/%49NTERNAL/stock")]
    [InlineData("/api/echo/%2Finternal/stock")]
    [InlineData("/api/echo/%2finternal%2fstock")]
    [InlineData("/api/echo/public%2F..%2Finternal/stock")]
    [InlineData("/api/echo/%252Finternal/stock")]
    [InlineData("/api/echo/%2569nternal/stock")]
    [InlineData("/api/echo/public/../internal/stock")]
    [InlineData("/api/echo/public/%2e%2e/internal/stock")]
    [InlineData("/api/echo/public/..%2Finternal/stock")]
    [InlineData("/api/echo/./internal/stock")]
    [InlineData("/api/echo/internal;v=1/stock")]
    [InlineData("/api/echo/internal%3Bv=1/stock")]
    [InlineData("/api/echo/%5Cinternal/stock")]
    [InlineData("/api/echo//internal/stock")]
    [InlineData("/api/internal/anything")]
    [InlineData("/api/echo/health/ready")]
    [InlineData("/api/echo/HEALTH/live")]
    [InlineData("/api/echo/swagger/index.html")]
    [InlineData("/api/echo/openapi/v1.json")]
    [InlineData("/api/payment/payments/webhooks/pg")]
    [InlineData("/api/payment/payments/webhooks/")]
    [InlineData("/api/payment/Payments/WEBHOOKS/pg")]
    [InlineData("/api/payment/payments/%77ebhooks/pg")]
    [InlineData("/api/payment/payments%2Fwebhooks/pg")]
    [InlineData("/api/payment//payments/webhooks/pg")]
    [InlineData("/api/payment/payments/webhooks;x=1/pg")]
    public async Task Is_404_and_never_reaches_the_service(string target)
    {
        var before = fixture.Echo.Calls;

        foreach (var method in new[] { "GET", "POST", "DELETE" })
            (await GatewayHttp.SendRawAsync(fixture.Gateway.Address, method, target)).ShouldBe(404, $"{method} {target}");
        using var authenticated = new HttpRequestMessage(HttpMethod.Get, target)
            .WithBearer(TestSigningKey.Instance.ValidToken(Guid.NewGuid()));
        using var response = await fixture.Client.SendAsync(authenticated, Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        fixture.Echo.Calls.ShouldBe(before);
    }

    [Fact]
    public async Task The_404_is_the_same_problem_detail_an_unknown_path_gets()
    {
        using var response = await fixture.Client.GetAsync("/api/echo/internal/stock", Cancel);

        var problem = await response.ReadProblemAsync();
        problem.GetProperty("status").GetInt32().ShouldBe(404);
        problem.TryGetProperty("detail", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("/api/echo/echo/internal-notes")]
    [InlineData("/api/echo/echo/internals")]
    [InlineData("/api/echo/echo/x?scope=internal")]
    [InlineData("/api/echo/echo/healthy")]
    [InlineData("/api/payment/payments/return/success?paymentKey=k&orderId=o&amount=1")]
    [InlineData("/api/payment/payments/webhooksx")]
    [InlineData("/api/echo/echo/payments/webhooks/pg")]
    public async Task Paths_that_only_look_alike_are_forwarded(string target)
    {
        (await GatewayHttp.SendRawAsync(fixture.Gateway.Address, "GET", target)).ShouldBe(200);
    }
}
