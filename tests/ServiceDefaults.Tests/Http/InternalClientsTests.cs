using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;
using Stampede.ServiceDefaults.Http;

namespace Stampede.ServiceDefaults.Tests.Http;

public sealed class InternalClientsTests : IAsyncLifetime
{
    private PeerInstance first = null!;
    private PeerInstance second = null!;

    public async ValueTask InitializeAsync()
    {
        first = await PeerInstance.StartAsync("first");
        second = await PeerInstance.StartAsync("second");
    }

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Calls_go_to_every_instance_in_turn()
    {
        using var host = await StartClientAsync(Both);
        var peer = Peer(host);

        var answeredBy = new List<string>();
        for (var i = 0; i < 10; i++) answeredBy.Add(await peer.GetAsync());

        answeredBy.ShouldBe(["first", "second", "first", "second", "first", "second", "first", "second", "first", "second"]);
        first.Received.ShouldBe(5);
        second.Received.ShouldBe(5);
    }

    [Fact]
    public async Task A_single_URL_sends_every_call_to_it()
    {
        using var host = await StartClientAsync(second.Address.ToString().TrimEnd('/'));
        var peer = Peer(host);

        for (var i = 0; i < 3; i++) (await peer.GetAsync()).ShouldBe("second");
        second.Received.ShouldBe(3);
        first.Received.ShouldBe(0);
    }

    [Fact]
    public async Task With_one_instance_stopped_reads_and_posts_still_succeed_on_the_other()
    {
        await first.StopAsync();
        using var host = await StartClientAsync(Both);
        var peer = Peer(host);

        // A refused connection sent nothing, so even a POST that may not be repeated moves on.
        for (var i = 0; i < 6; i++)
        {
            (await peer.GetAsync()).ShouldBe("second");
            using var posted = await peer.PostAsync(idempotent: false);
            posted.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await posted.Content.ReadAsStringAsync()).ShouldBe("second");
        }

        second.Received.ShouldBe(12);
    }

    [Fact]
    public async Task A_POST_that_reached_an_instance_which_then_dropped_it_is_not_sent_again()
    {
        first.Behaviour = PeerBehaviour.DropAfterReading;
        using var host = await StartClientAsync(Both);
        var peer = Peer(host);

        await Should.ThrowAsync<HttpRequestException>(() => peer.PostAsync(idempotent: false));

        first.Received.ShouldBe(1);
        second.Received.ShouldBe(0);
    }

    [Fact]
    public async Task A_5xx_answer_to_a_POST_is_handed_to_the_caller_and_not_sent_again()
    {
        first.Behaviour = PeerBehaviour.ServerError;
        using var host = await StartClientAsync(Both);
        var peer = Peer(host);

        using var response = await peer.PostAsync(idempotent: false);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        first.Received.ShouldBe(1);
        second.Received.ShouldBe(0);
    }

    [Fact]
    public async Task A_POST_marked_idempotent_is_repeated_on_the_next_instance_after_a_dropped_answer()
    {
        first.Behaviour = PeerBehaviour.DropAfterReading;
        using var host = await StartClientAsync(Both);
        var peer = Peer(host);

        using var response = await peer.PostAsync(idempotent: true);

        (await response.Content.ReadAsStringAsync()).ShouldBe("second");
        first.Received.ShouldBe(1);
        second.Received.ShouldBe(1);
    }

    [Fact]
    public async Task A_read_that_gets_a_5xx_or_no_whole_answer_in_time_is_repeated_on_the_next_instance()
    {
        using var host = await StartClientAsync(Both, ("InternalCalls:peer:AttemptTimeout", "00:00:00.300"));
        var peer = Peer(host);

        // Calls start at each instance in turn: of each pair, one meets the failing first instance.
        foreach (var failure in new[] { PeerBehaviour.ServerError, PeerBehaviour.Hang, PeerBehaviour.StallBody })
        {
            first.Behaviour = failure;
            (await peer.GetAsync()).ShouldBe("second");
            (await peer.GetAsync()).ShouldBe("second");
        }

        first.Received.ShouldBe(3);
        second.Received.ShouldBe(6);
    }

    [Fact]
    public async Task With_every_instance_failing_the_breakers_open_and_calls_are_refused_without_reaching_them()
    {
        first.Behaviour = PeerBehaviour.ServerError;
        second.Behaviour = PeerBehaviour.ServerError;
        using var host = await StartClientAsync(Both,
            ("InternalCalls:peer:BreakerMinimumThroughput", "2"), ("InternalCalls:peer:BreakDuration", "00:01:00"),
            ("InternalCalls:peer:RetryDelay", "00:00:00"));
        var peer = Peer(host);

        // Each read makes up to 3 attempts, alternating instances, until both breakers have seen 2 failures.
        var refusedByBreaker = false;
        for (var i = 0; i < 5 && !refusedByBreaker; i++)
        {
            try
            {
                using var failed = await peer.Http.GetAsync("work");
                failed.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            }
            catch (BrokenCircuitException)
            {
                refusedByBreaker = true;
            }
        }

        refusedByBreaker.ShouldBeTrue();
        var reached = first.Received + second.Received;
        first.Behaviour = PeerBehaviour.Answer;
        second.Behaviour = PeerBehaviour.Answer;

        await Should.ThrowAsync<BrokenCircuitException>(() => peer.Http.GetAsync("work"));
        InternalCalls.IsUnanswered(new BrokenCircuitException(), CancellationToken.None).ShouldBeTrue();
        (first.Received + second.Received).ShouldBe(reached);
    }

    [Theory]
    [InlineData(null, "Services:peer is not set")]
    [InlineData("", "Services:peer is not set")]
    [InlineData("ftp://127.0.0.1:5102", "Services:peer holds 'ftp://127.0.0.1:5102'")]
    [InlineData("http://127.0.0.1:5102,127.0.0.1:6102", "Services:peer holds '127.0.0.1:6102'")]
    [InlineData("http://127.0.0.1:5102,", "Services:peer holds ''")]
    public async Task A_missing_or_malformed_list_fails_start_up_naming_the_setting(string? value, string message)
    {
        var failure = await Should.ThrowAsync<Exception>(async () =>
        {
            using var host = await StartClientAsync(value);
        });

        failure.ToString().ShouldContain(message);
    }

    [Fact]
    public async Task Invalid_call_settings_fail_start_up_naming_the_section()
    {
        var failure = await Should.ThrowAsync<Exception>(async () =>
        {
            using var host = await StartClientAsync(Both, ("InternalCalls:peer:BreakerMinimumThroughput", "1"));
        });

        failure.ToString().ShouldContain("InternalCalls:peer must have");
    }

    private string Both => $"{first.Address}, {second.Address}";

    private static PeerClient Peer(IHost host) => host.Services.GetRequiredService<PeerClient>();

    private static async Task<IHost> StartClientAsync(string? instances, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Services:peer", instances), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        builder.Services.AddInternalClient<PeerClient>("peer", calls => calls.RetryDelay = TimeSpan.FromMilliseconds(10));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A typed client as a service module registers one.</summary>
    public sealed class PeerClient(HttpClient http)
    {
        public HttpClient Http => http;

        public Task<string> GetAsync() => http.GetStringAsync("work");

        public Task<HttpResponseMessage> PostAsync(bool idempotent)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "work") { Content = new StringContent("{}") };
            return http.SendAsync(idempotent ? request.Idempotent() : request);
        }
    }
}
