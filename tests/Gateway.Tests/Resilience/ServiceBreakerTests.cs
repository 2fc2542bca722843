using System.Net;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Resilience;

public sealed class BreakerFixture : IAsyncLifetime
{
    public const int MinimumThroughput = 4;
    // Long enough that a loaded test machine sends the follow-up requests while the circuit is still open.
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(3);

    public Downstream Slow { get; private set; } = null!;
    public Downstream Flaky { get; private set; } = null!;
    public Downstream Recovering { get; private set; } = null!;
    public Downstream Stoppable { get; private set; } = null!;
    public Downstream Busy { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Slow = await Downstream.StartAsync();
        Flaky = await Downstream.StartAsync();
        Recovering = await Downstream.StartAsync();
        Stoppable = await Downstream.StartAsync();
        Busy = await Downstream.StartAsync();
        Gateway = GatewayFactory.WithTestKey(new Dictionary<string, string?>
        {
            ["Gateway:Services:slow"] = Slow.BaseAddress.ToString(),
            ["Gateway:Services:flaky"] = Flaky.BaseAddress.ToString(),
            ["Gateway:Services:recovering"] = Recovering.BaseAddress.ToString(),
            ["Gateway:Services:stoppable"] = Stoppable.BaseAddress.ToString(),
            ["Gateway:Services:busy"] = Busy.BaseAddress.ToString(),
            ["Gateway:Services:dead"] = Downstream.DeadAddress().ToString(),
            ["Gateway:Timeouts:slow"] = "00:00:00.300",
            ["Gateway:CircuitBreaker:FailureRatio"] = "0.5",
            ["Gateway:CircuitBreaker:MinimumThroughput"] = MinimumThroughput.ToString(),
            ["Gateway:CircuitBreaker:SamplingDuration"] = "00:00:10",
            ["Gateway:CircuitBreaker:BreakDuration"] = BreakDuration.ToString(),
            ["Gateway:AnonymousRoutes:0"] = "* /api/*/**",
        });
        Client = Gateway.CreateGatewayClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        foreach (var downstream in new[] { Slow, Flaky, Recovering, Stoppable, Busy }) await downstream.DisposeAsync();
    }
}

/// <summary>Per-service timeouts and circuit breakers: a failing service is answered for with 503
/// at once, and the gateway tries it again on its own.</summary>
public sealed class ServiceBreakerTests(BreakerFixture fixture) : IClassFixture<BreakerFixture>
{
    private HttpClient Client => fixture.Client;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_service_slower_than_its_timeout_gets_a_504_problem()
    {
        var started = DateTime.UtcNow;
        using var response = await Client.GetAsync("/api/slow/slow/3000", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The slow service did not answer in time.");
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(2));

        using var quick = await Client.GetAsync("/api/slow/slow/10", Cancel);
        quick.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Repeated_5xx_open_the_breaker_and_the_gateway_answers_503_without_calling_the_service()
    {
        fixture.Flaky.FailWith = 500;
        for (var i = 0; i < BreakerFixture.MinimumThroughput; i++)
        {
            using var failing = await Client.GetAsync("/api/flaky/echo/x", Cancel);
            failing.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, "the service's own answer passes through");
        }
        var callsWhenOpened = fixture.Flaky.Calls;

        for (var i = 0; i < 5; i++)
        {
            using var refused = await Client.PostAsync("/api/flaky/echo/x", new StringContent("{}"), Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            refused.Headers.RetryAfter!.Delta!.Value.ShouldBeInRange(TimeSpan.FromSeconds(1), BreakerFixture.BreakDuration);
            (await refused.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The flaky service is failing; the gateway is not calling it for now.");
        }
        fixture.Flaky.Calls.ShouldBe(callsWhenOpened);
    }

    [Fact]
    public async Task An_open_breaker_lets_a_probe_through_after_the_break_and_closes_when_it_succeeds()
    {
        fixture.Recovering.FailWith = 500; // a 503 no longer counts (finding 7)
        for (var i = 0; i < BreakerFixture.MinimumThroughput; i++)
            using (await Client.GetAsync("/api/recovering/echo/x", Cancel)) { }
        using (var open = await Client.GetAsync("/api/recovering/echo/x", Cancel))
            open.Headers.RetryAfter.ShouldNotBeNull();

        fixture.Recovering.FailWith = 0;
        using (var stillOpen = await Client.GetAsync("/api/recovering/echo/x", Cancel))
            stillOpen.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "the break is not over yet");
        await Task.Delay(BreakerFixture.BreakDuration + TimeSpan.FromMilliseconds(200), Cancel);
        var callsBeforeProbe = fixture.Recovering.Calls;

        for (var i = 0; i < 3; i++)
        {
            using var recovered = await Client.GetAsync("/api/recovering/echo/x", Cancel);
            recovered.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        fixture.Recovering.Calls.ShouldBe(callsBeforeProbe + 3);
    }

    // The active health check may take the dead destination out before the first request (then
    // every answer is the "failing" one); either way a caller only ever sees 503 problems, and soon
    // the gateway stops calling and says when to retry.
    [Fact]
    public async Task A_service_that_refuses_connections_gets_503_and_is_taken_out()
    {
        for (var i = 0; i < BreakerFixture.MinimumThroughput; i++)
        {
            using var refused = await Client.GetAsync("/api/dead/anything", Cancel);
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await refused.ReadProblemAsync()).GetProperty("detail").GetString()
                .ShouldBeOneOf("The dead service cannot be reached.", "The dead service is failing; the gateway is not calling it for now.");
        }

        using var open = await Client.GetAsync("/api/dead/anything", Cancel);
        open.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        open.Headers.RetryAfter.ShouldNotBeNull();
        (await open.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The dead service is failing; the gateway is not calling it for now.");
    }

    // Issue 9, finding 7: ordering's "catalog unavailable" is ordering answering, not ordering failing.
    [Fact]
    public async Task A_services_own_503_passes_through_and_never_takes_the_service_out()
    {
        fixture.Busy.FailWith = 503;
        for (var i = 0; i < BreakerFixture.MinimumThroughput * 3; i++)
        {
            var before = fixture.Busy.Calls;
            using var response = await Client.GetAsync("/api/busy/echo/x", Cancel);
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await response.Content.ReadAsStringAsync(Cancel)).ShouldBeEmpty("the service's own bodiless 503, not a gateway problem");
            response.Headers.RetryAfter.ShouldBeNull();
            fixture.Busy.Calls.ShouldBe(before + 1);
        }
    }

    [Fact]
    public async Task A_service_that_stopped_gets_503_instead_of_an_error()
    {
        using (var before = await Client.GetAsync("/api/stoppable/echo/x", Cancel))
            before.StatusCode.ShouldBe(HttpStatusCode.OK);

        await fixture.Stoppable.DisposeAsync();

        using var after = await Client.GetAsync("/api/stoppable/echo/x", Cancel);
        after.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await after.ReadProblemAsync()).GetProperty("title").GetString().ShouldBe("Service unavailable");
    }
}
