using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Gateway.RateLimiting;
using Stampede.ServiceDefaults.Http;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.RateLimiting;

/// <summary>Per-IP and per-user limits, counted in Redis so that every gateway instance enforces the
/// same budget, and lifted rather than enforced when Redis is gone.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private Downstream echo = null!;

    public async ValueTask InitializeAsync() => echo = await Downstream.StartAsync();

    public async ValueTask DisposeAsync() => await echo.DisposeAsync();

    private GatewayFactory Gateway(string keyPrefix, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Gateway:Services:echo"] = echo.BaseAddress.ToString(),
            ["Gateway:RateLimits:KeyPrefix"] = keyPrefix,
        };
        foreach (var (key, value) in settings) all[key] = value;
        return GatewayFactory.WithTestKey(all);
    }

    private static HttpRequestMessage Get(string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/limited");
        return token is null ? request : request.WithBearer(token);
    }

    [Fact]
    public async Task The_per_IP_limit_is_shared_by_every_gateway_instance_and_answers_429_with_Retry_After()
    {
        var prefix = $"gateway-tests:{Guid.NewGuid():N}";
        (string, string)[] limits = [("Gateway:RateLimits:PerIp:Permits", "5"), ("Gateway:RateLimits:PerIp:Window", "00:05:00"), ("Gateway:AnonymousRoutes:0", "GET /api/echo/**")];
        await using var first = Gateway(prefix, limits);
        await using var second = Gateway(prefix, limits);
        using var a = first.CreateGatewayClient();
        using var b = second.CreateGatewayClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { a, b, a, b, a })
        {
            using var response = await client.SendAsync(Get(), Cancel);
            statuses.Add(response.StatusCode);
        }
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK);
        var callsAtLimit = echo.Calls;

        foreach (var client in new[] { a, b })
        {
            using var refused = await client.SendAsync(Get(), Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            // Sliding window: the next permit frees up once enough of this 5-minute window has slid out.
            refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 600);
            (await refused.ReadProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("from this address");
        }
        echo.Calls.ShouldBe(callsAtLimit);
    }

    [Fact]
    public async Task An_IPv6_caller_is_limited_by_its_slash_64_so_other_addresses_of_it_share_the_budget()
    {
        await using var gateway = Gateway($"gateway-tests:{Guid.NewGuid():N}",
            ("urls", "http://[::1]:0"), ("Gateway:RateLimits:PerIp:Permits", "3"), ("Gateway:RateLimits:PerIp:Window", "00:05:00"),
            ("Gateway:AnonymousRoutes:0", "GET /api/echo/**"));
        using var client = gateway.CreateGatewayClient();
        client.BaseAddress!.Host.ShouldBe("[::1]");

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await client.SendAsync(Get(), Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using var refused = await client.SendAsync(Get(), Cancel);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        // ::1 spent the budget of ::/64: another address in it is refused, one in another /64 is not.
        var limiter = gateway.Services.GetRequiredService<RedisRateLimiter>();
        (await limiter.CheckAsync(ClientNetwork.Of(IPAddress.Parse("::abcd:1:2:3")), null)).ShouldNotBeNull().Scope.ShouldBe("from this address");
        (await limiter.CheckAsync(ClientNetwork.Of(IPAddress.Parse("2001:db8::1")), null)).ShouldBeNull();
    }

    [Fact]
    public async Task The_per_user_limit_counts_each_user_separately_across_instances()
    {
        var prefix = $"gateway-tests:{Guid.NewGuid():N}";
        (string, string)[] limits = [("Gateway:RateLimits:PerUser:Permits", "3"), ("Gateway:RateLimits:PerUser:Window", "00:05:00")];
        await using var first = Gateway(prefix, limits);
        await using var second = Gateway(prefix, limits);
        using var a = first.CreateGatewayClient();
        using var b = second.CreateGatewayClient();
        var alice = TestSigningKey.Instance.ValidToken(Guid.NewGuid());
        var bob = TestSigningKey.Instance.ValidToken(Guid.NewGuid());

        foreach (var client in new[] { a, b, a })
        {
            using var allowed = await client.SendAsync(Get(alice), Cancel);
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using (var refused = await b.SendAsync(Get(alice), Cancel))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            refused.Headers.RetryAfter.ShouldNotBeNull();
            (await refused.ReadProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("for this user");
        }
        using var other = await a.SendAsync(Get(bob), Cancel);
        other.StatusCode.ShouldBe(HttpStatusCode.OK, "another user on the same address has their own budget");
    }

    [Fact]
    public async Task A_refused_caller_is_let_through_again_after_the_Retry_After_it_was_given()
    {
        await using var gateway = Gateway($"gateway-tests:{Guid.NewGuid():N}",
            ("Gateway:RateLimits:PerIp:Permits", "2"), ("Gateway:RateLimits:PerIp:Window", "00:00:02"), ("Gateway:AnonymousRoutes:0", "GET /api/echo/**"));
        using var client = gateway.CreateGatewayClient();
        for (var i = 0; i < 2; i++)
            using (await client.SendAsync(Get(), Cancel)) { }
        TimeSpan retryAfter;
        using (var refused = await client.SendAsync(Get(), Cancel))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        }

        await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(100), Cancel);

        using var allowed = await client.SendAsync(Get(), Cancel);
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Requests_go_through_unlimited_when_Redis_is_down()
    {
        await using var gateway = Gateway($"gateway-tests:{Guid.NewGuid():N}",
            ("ConnectionStrings:Redis", $"127.0.0.1:{Downstream.DeadAddress().Port},connectTimeout=200"),
            ("Gateway:RateLimits:PerIp:Permits", "1"), ("Gateway:AnonymousRoutes:0", "GET /api/echo/**"));
        using var client = gateway.CreateGatewayClient();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(Get(), Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        using var ready = await client.GetAsync("/health/ready", Cancel);
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync(Cancel)).ShouldContain("Redis is unreachable");
    }
}
