using System.Net;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Forwarding;

/// <summary>A service with several destinations (<c>Gateway:Services:{name}</c> = URLs separated by
/// commas): traffic is balanced, a stopped destination is skipped, none healthy is a 503 with
/// <c>Retry-After</c>, and the gateway recovers on its own.</summary>
public sealed class BalancingTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private Downstream first = null!;
    private Downstream second = null!;

    public async ValueTask InitializeAsync()
    {
        first = await Downstream.StartAsync();
        second = await Downstream.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    private GatewayFactory Gateway(string? policy = null) => GatewayFactory.WithTestKey(new Dictionary<string, string?>
    {
        ["Gateway:Services:shop"] = $"{first.BaseAddress}, {second.BaseAddress}",
        ["Gateway:LoadBalancing"] = policy,
        ["Gateway:HealthChecks:Interval"] = "00:00:00.300",
        ["Gateway:AnonymousRoutes:0"] = "* /api/shop/**",
    });

    [Theory]
    [InlineData("RoundRobin")]
    [InlineData(null)] // the default, PowerOfTwoChoices
    public async Task Both_destinations_get_traffic(string? policy)
    {
        await using var gateway = Gateway(policy);
        using var client = gateway.CreateGatewayClient();

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/api/shop/echo/x", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (first.Calls + second.Calls).ShouldBe(20);
        first.Calls.ShouldBeGreaterThan(0);
        second.Calls.ShouldBeGreaterThan(0);
        if (policy == "RoundRobin") first.Calls.ShouldBe(10);
    }

    [Fact]
    public async Task A_stopped_destination_is_skipped_and_every_request_is_answered_by_the_other()
    {
        await using var gateway = Gateway("RoundRobin");
        using var client = gateway.CreateGatewayClient();
        using (var warm = await client.GetAsync("/api/shop/echo/x", Cancel)) warm.StatusCode.ShouldBe(HttpStatusCode.OK);

        await second.DisposeAsync();
        first.ResetCalls();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/api/shop/echo/x", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        first.Calls.ShouldBe(20);
    }

    [Fact]
    public async Task A_GET_cut_off_mid_request_is_tried_once_more_on_the_other_destination_but_a_POST_is_not()
    {
        await using var gateway = Gateway("RoundRobin");
        using var client = gateway.CreateGatewayClient();
        // Healthy to the probes, but every request dies without an answer: a process killed mid-request.
        first.DropConnections = true;

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/api/shop/echo/x", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        second.Calls.ShouldBe(10);
        var dropped = first.Calls;
        dropped.ShouldBeGreaterThan(0, "round robin sent some GETs to the dropping destination first");

        // A POST may have done its work before its connection dropped: the caller decides, not the gateway.
        var posts = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/api/shop/echo/x", new StringContent("{}"), Cancel);
            posts.Add(response.StatusCode);
        }
        posts.Count(s => s == HttpStatusCode.BadGateway).ShouldBe(first.Calls - dropped, "a cut POST is answered 502, not sent again");
        posts.ShouldContain(HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task No_healthy_destination_is_a_503_with_Retry_After_and_the_gateway_recovers_on_its_own()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateGatewayClient();
        first.Ready = false;
        second.Ready = false;

        var down = await EventuallyAsync(client, HttpStatusCode.ServiceUnavailable);
        down.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        (await down.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The shop service is failing; the gateway is not calling it for now.");
        var callsWhileDown = first.Calls + second.Calls;

        second.Ready = true;
        using var up = await EventuallyAsync(client, HttpStatusCode.OK);
        (first.Calls + second.Calls).ShouldBe(callsWhileDown + 1, "no call reached a destination while none was healthy");
        second.Calls.ShouldBeGreaterThan(0);
    }

    private static async Task<HttpResponseMessage> EventuallyAsync(HttpClient client, HttpStatusCode expected)
    {
        for (var i = 0; ; i++)
        {
            var response = await client.GetAsync("/api/shop/echo/x", Cancel);
            if (response.StatusCode == expected || i == 50) return response;
            response.Dispose();
            await Task.Delay(100, Cancel);
        }
    }
}
