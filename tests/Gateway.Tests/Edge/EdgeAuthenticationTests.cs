using System.Net;
using Stampede.Gateway.Tests.Infrastructure;
using Stampede.Testing;

namespace Stampede.Gateway.Tests.Edge;

public sealed class EdgeFixture : IAsyncLifetime
{
    public Downstream Echo { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Echo = await Downstream.StartAsync();
        // "identity" points at the echo endpoint, so the default anonymous routes can be observed.
        Gateway = GatewayFactory.WithTestKey(new Dictionary<string, string?>
        {
            ["Gateway:Services:identity"] = new Uri(Echo.BaseAddress, "/echo").ToString(),
            ["Gateway:Services:orders"] = new Uri(Echo.BaseAddress, "/echo").ToString(),
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

/// <summary>The token check at the edge: refused before any service is called, valid tokens
/// forwarded untouched, anonymous routes listed explicitly.</summary>
public sealed class EdgeAuthenticationTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Tokens are made in the test, not in the theory data: the data may be enumerated in another
    // process (test discovery), where the test signing key is a different one.
    private static string? Token(string kind) => kind switch
    {
        "missing" => null,
        "stranger-signed" => TokenForge.SignedByStranger(Guid.NewGuid(), "admin"),
        "alg none" => TokenForge.Unsigned(Guid.NewGuid()),
        "garbage" => "not-a-token",
        "three garbage parts" => "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
        "expired" => TokenForge.Expired(TestSigningKey.Instance.Credentials, Guid.NewGuid(), TimeSpan.FromMinutes(5)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("missing", "An access token is required (Authorization: Bearer <token>).")]
    [InlineData("stranger-signed", "The access token is invalid.")]
    [InlineData("alg none", "The access token is invalid.")]
    [InlineData("garbage", "The access token is invalid.")]
    [InlineData("three garbage parts", "The access token is invalid.")]
    [InlineData("expired", "The access token has expired.")]
    public async Task A_protected_route_without_a_valid_token_is_401_before_any_service_is_called(string kind, string detail)
    {
        var token = Token(kind);
        var before = fixture.Echo.Calls;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/orders/1");
        if (token is not null) request.WithBearer(token);

        using var response = await fixture.Client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, kind);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe(detail);
        fixture.Echo.Calls.ShouldBe(before);
    }

    [Fact]
    public async Task A_valid_token_reaches_the_service_with_the_Authorization_header_unchanged()
    {
        var token = TestSigningKey.Instance.ValidToken(Guid.NewGuid());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/orders/1").WithBearer(token);

        using var response = await fixture.Client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await response.ReadEchoAsync();
        echo.Path.ShouldBe("/echo/orders/1");
        echo.Headers["Authorization"].ShouldBe($"Bearer {token}");
    }

    [Theory]
    [InlineData("POST", "/api/identity/users")]
    [InlineData("POST", "/api/identity/users/verification")]
    [InlineData("POST", "/api/identity/users/verification/resend")]
    [InlineData("POST", "/api/identity/tokens")]
    [InlineData("POST", "/api/IDENTITY/Tokens/")]
    [InlineData("POST", "/api/identity/tokens/refresh")]
    [InlineData("POST", "/api/identity/tokens/revoke")]
    [InlineData("GET", "/api/identity/.well-known/jwks.json")]
    public async Task Anonymous_routes_are_forwarded_without_a_token(string method, string path)
    {
        var before = fixture.Echo.Calls;
        using var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        fixture.Echo.Calls.ShouldBe(before + 1);
    }

    [Theory]
    [InlineData("GET", "/api/identity/users")]
    [InlineData("GET", "/api/identity/users/me")]
    [InlineData("DELETE", "/api/identity/tokens")]
    [InlineData("POST", "/api/identity/tokens/refresh/extra")]
    [InlineData("POST", "/api/identity/users%2Fverification")]
    public async Task Routes_not_listed_as_anonymous_need_a_token(string method, string path)
    {
        using var response = await fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_invalid_token_on_an_anonymous_route_is_left_for_the_service_to_judge()
    {
        var expired = TokenForge.Expired(TestSigningKey.Instance.Credentials, Guid.NewGuid(), TimeSpan.FromMinutes(5));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/identity/tokens/refresh").WithBearer(expired);

        using var response = await fixture.Client.SendAsync(request, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.ReadEchoAsync()).Headers["Authorization"].ShouldBe($"Bearer {expired}");
    }

    [Fact]
    public async Task The_gateways_own_health_endpoints_need_no_token()
    {
        using var live = await fixture.Client.GetAsync("/health/live", Cancel);
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
