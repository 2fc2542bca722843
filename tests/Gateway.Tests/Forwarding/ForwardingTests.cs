using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Stampede.Gateway.Tests.Infrastructure;

namespace Stampede.Gateway.Tests.Forwarding;

public sealed class ForwardingFixture : IAsyncLifetime
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
            ["Gateway:AnonymousRoutes:0"] = "* /api/echo/**",
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

/// <summary>Forwarding through YARP: what the service receives and what the caller gets back.</summary>
public sealed class ForwardingTests(ForwardingFixture fixture) : IClassFixture<ForwardingFixture>
{
    private HttpClient Client => fixture.Client;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Method_path_query_and_headers_reach_the_service_as_sent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/echo/echo/orders/a%20b?x=1&y=%2F&x=2");
        request.Headers.Add("X-Custom", ["one", "two"]);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Add("Cookie", "theme=dark");
        request.Content = JsonContent.Create(new { hello = "world" });

        using var response = await Client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await response.ReadEchoAsync();
        echo.Method.ShouldBe("PATCH");
        echo.Path.ShouldBe("/echo/orders/a b");
        echo.RawTarget.ShouldBe("/echo/orders/a%20b?x=1&y=%2F&x=2");
        echo.Headers["X-Custom"].ShouldBe("one, two");
        echo.Headers["Accept"].ShouldBe("application/json");
        echo.Headers["Cookie"].ShouldBe("theme=dark");
        echo.Headers["Content-Type"].ShouldStartWith("application/json");
        echo.Headers["Host"].ShouldBe(fixture.Echo.BaseAddress.Authority);
        echo.BodySha256.ShouldBe(Sha256("""{"hello":"world"}"""u8.ToArray()));
    }

    [Theory]
    [InlineData("/echo/a%2Fb", "/echo/a%2Fb")]
    [InlineData("/echo/caf%C3%A9", "/echo/caf%C3%A9")]
    [InlineData("/echo/a+b", "/echo/a+b")]
    [InlineData("/echo/100%25", "/echo/100%25")]
    [InlineData("/echo/x?q=a%26b&r=%E2%82%AC&empty=", "/echo/x?q=a%26b&r=%E2%82%AC&empty=")]
    [InlineData("/echo/users:search", "/echo/users:search")]
    public async Task Encoded_paths_and_queries_arrive_as_the_caller_encoded_them(string sent, string expected)
    {
        var target = "/api/echo" + sent;
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(target, UriKind.Relative)), Cancel);

        (await response.ReadEchoAsync()).RawTarget.ShouldBe(expected);
    }

    [Fact]
    public async Task Hop_by_hop_headers_are_dropped_in_both_directions()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/hops");
        request.Headers.Connection.Add("X-Private");
        request.Headers.Add("X-Private", "only-for-the-gateway");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.Add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
        request.Headers.Add("Proxy-Anything", "x");

        using var response = await Client.SendAsync(request, Cancel);
        using var direct = new HttpClient();
        using var unproxied = await direct.GetAsync(new Uri(fixture.Echo.BaseAddress, "/echo/hops"), Cancel);

        unproxied.Headers.GetValues("X-Hop-Secret").ShouldBe(["do-not-forward"], "the service does send it");
        unproxied.Headers.Connection.ShouldContain("X-Hop-Secret");
        var echo = await response.ReadEchoAsync();
        foreach (var hop in new[] { "X-Private", "Keep-Alive", "TE", "Proxy-Authorization", "Proxy-Anything", "Upgrade", "Trailer" })
            echo.Headers.ShouldNotContainKey(hop);
        (echo.Headers.GetValueOrDefault("Connection") ?? "").ShouldNotContain("X-Private");
        response.Headers.Contains("X-Hop-Secret").ShouldBeFalse("the service named it in Connection");
        response.Headers.GetValues("X-Downstream").ShouldBe(["echo"]);
        response.Headers.GetValues("Set-Cookie").Single().ShouldBe("session=abc; Path=/; HttpOnly");
    }

    [Fact]
    public async Task The_service_learns_who_called_through_forwarded_headers_which_callers_cannot_forge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/who");
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await Client.SendAsync(request, Cancel);

        var echo = await response.ReadEchoAsync();
        echo.Headers["X-Forwarded-For"].ShouldBe("127.0.0.1");
        echo.Headers["X-Forwarded-Proto"].ShouldBe("http");
        echo.Headers["X-Forwarded-Host"].ShouldBe(fixture.Gateway.Address.Authority);
        echo.Headers["X-Forwarded-Prefix"].ShouldBe("/api/echo");
    }

    [Fact]
    public async Task An_IPv6_caller_is_forwarded_as_a_plain_address_that_the_services_read_back()
    {
        await using var gateway = GatewayFactory.WithTestKey(new Dictionary<string, string?>
        {
            ["urls"] = "http://[::1]:0",
            ["Gateway:Services:echo"] = fixture.Echo.BaseAddress.ToString(),
            ["Gateway:AnonymousRoutes:0"] = "* /api/echo/**",
        });
        using var client = gateway.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/who6");
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");

        using var response = await client.SendAsync(request, Cancel);

        var forwardedFor = (await response.ReadEchoAsync()).Headers["X-Forwarded-For"];
        forwardedFor.ShouldBe("::1");
        ServiceSees(forwardedFor).ShouldBe(("::1", "::/64"));
    }

    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2::7", "2001:db8:1:2::7", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::7, 198.51.100.1", "2001:db8:1:2::7", "2001:db8:1:2::/64")]
    public void The_forwarded_for_forms_the_gateway_writes_are_read_by_the_services(string forwardedFor, string address, string network) =>
        ServiceSees(forwardedFor).ShouldBe((address, network));

    /// <summary>What identity's throttles count a call by, arriving from the gateway on loopback with this header.</summary>
    private static (string Address, string Network) ServiceSees(string forwardedFor)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return (Stampede.Identity.Http.ClientAddress.Of(context), Stampede.Identity.Http.ClientAddress.NetworkOf(context));
    }

    [Fact]
    public async Task The_request_id_is_forwarded_and_echoed_to_the_caller()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/id");
        request.Headers.Add("X-Request-Id", "checkout-7f3a");
        using var response = await Client.SendAsync(request, Cancel);
        (await response.ReadEchoAsync()).Headers["X-Request-Id"].ShouldBe("checkout-7f3a");
        response.Headers.GetValues("X-Request-Id").ShouldBe(["checkout-7f3a"]);

        using var anonymous = await Client.GetAsync("/api/echo/echo/id", Cancel);
        var generated = anonymous.Headers.GetValues("X-Request-Id").Single();
        generated.ShouldNotBeNullOrWhiteSpace();
        (await anonymous.ReadEchoAsync()).Headers["X-Request-Id"].ShouldBe(generated);
    }

    [Fact]
    public async Task The_service_joins_the_callers_trace_as_a_child_of_the_gateway()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpan = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/trace");
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await Client.SendAsync(request, Cancel);

        var forwarded = (await response.ReadEchoAsync()).Headers["traceparent"].Split('-');
        forwarded[1].ShouldBe(traceId);
        forwarded[2].ShouldNotBe(callerSpan, "the gateway's own span is the parent");
    }

    [Fact]
    public async Task A_500_KB_request_body_is_streamed_to_the_service_intact()
    {
        var body = RandomNumberGenerator.GetBytes(500 * 1024);

        using var sized = await Client.PostAsync("/api/echo/echo/upload", new ByteArrayContent(body), Cancel);
        using var chunked = await Client.PostAsync("/api/echo/echo/upload", new StreamContent(new UnseekableStream(body)), Cancel);

        foreach (var response in new[] { sized, chunked })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
            var echo = await response.ReadEchoAsync();
            echo.BodyLength.ShouldBe(body.Length);
            echo.BodySha256.ShouldBe(Sha256(body));
        }
    }

    [Fact]
    public async Task A_multi_megabyte_response_is_streamed_back_intact()
    {
        const int size = 8 * 1024 * 1024 + 17;
        using var response = await Client.GetAsync($"/api/echo/bytes/{size}", HttpCompletionOption.ResponseHeadersRead, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        var received = await response.Content.ReadAsByteArrayAsync(Cancel);
        received.Length.ShouldBe(size);
        Sha256(received).ShouldBe(Sha256(Downstream.Pattern(size)));
    }

    [Fact]
    public async Task A_body_larger_than_the_limit_is_refused_with_413_before_the_service_is_called()
    {
        var before = fixture.Echo.Calls;
        using var response = await Client.PostAsync("/api/echo/echo/huge", new ByteArrayContent(new byte[2 * 1024 * 1024]), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The request body exceeds the allowed size.");
        fixture.Echo.Calls.ShouldBe(before);
    }

    [Fact]
    public async Task A_client_that_waits_for_100_continue_gets_the_413_without_sending_its_body()
    {
        var before = fixture.Echo.Calls;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/echo/echo/huge") { Content = new ByteArrayContent(new byte[64 * 1024 * 1024]) };
        request.Headers.ExpectContinue = true;

        using var response = await Client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        fixture.Echo.Calls.ShouldBe(before);
    }

    [Fact]
    public async Task A_chunked_body_that_grows_past_the_limit_is_cut_off_with_413()
    {
        using var response = await Client.PostAsync("/api/echo/echo/huge", new StreamContent(new UnseekableStream(new byte[2 * 1024 * 1024])), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The request body exceeds the allowed size.");
    }

    [Fact]
    public async Task A_relative_Location_from_the_service_is_translated_to_the_public_path()
    {
        using var response = await Client.PostAsync("/api/echo/things", JsonContent.Create(new { }), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.ShouldBe("/api/echo/things/42");
    }

    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(418)]
    public async Task The_services_status_codes_pass_through_unchanged(int status)
    {
        using var response = await Client.GetAsync($"/api/echo/status/{status}", Cancel);

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadAsStringAsync(Cancel)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_service_is_a_404_problem()
    {
        using var response = await Client.GetAsync("/api/nowhere/things", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("No service is routed at /api/nowhere.");
    }

    [Fact]
    public async Task A_caller_hanging_up_cancels_the_call_to_the_service()
    {
        var before = fixture.Echo.Cancelled;
        using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Should.ThrowAsync<OperationCanceledException>(() => Client.GetAsync("/api/echo/slow/5000", hangUp.Token));

        await Eventually(() => fixture.Echo.Cancelled > before);
    }

    [Fact]
    public async Task Compressed_answers_pass_through_without_being_decompressed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo/echo/enc");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await Client.SendAsync(request, Cancel);
        (await response.ReadEchoAsync()).Headers["Accept-Encoding"].ShouldBe("gzip");
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 50 && !condition(); i++) await Task.Delay(100, Cancel);
        condition().ShouldBeTrue();
    }

    /// <summary>A body of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
