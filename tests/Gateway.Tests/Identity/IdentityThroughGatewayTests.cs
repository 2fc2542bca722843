using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Gateway.Tests.Infrastructure;
using Stampede.Identity.Keys;
using Stampede.Testing;

namespace Stampede.Gateway.Tests.Identity;

public sealed class IdentityGatewayFixture : IAsyncLifetime
{
    public IdentityFactory Identity { get; } = new();
    public GatewayFactory Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        var identity = Identity.Address;
        // No test key here: the gateway trusts exactly what identity publishes at its JWKS endpoint.
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Services:identity"] = identity.ToString(),
            ["Jwt:JwksUrl"] = new Uri(identity, "/.well-known/jwks.json").ToString(),
        });
        Client = Gateway.CreateGatewayClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Identity.DisposeAsync();
    }
}

/// <summary>The public contract of identity, called through the gateway as clients do.</summary>
public sealed class IdentityThroughGatewayTests(IdentityGatewayFixture fixture) : IClassFixture<IdentityGatewayFixture>
{
    private HttpClient Client => fixture.Client;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

    private static string NewEmail() => $"shopper-{Guid.NewGuid():N}@example.com";

    private async Task<Tokens> RegisterAndLogInAsync(string email)
    {
        using var registered = await Client.PostAsJsonAsync("/api/identity/users", new { email, password = "a long enough passphrase", name = "Shopper" }, Cancel);
        registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var login = await Client.PostAsJsonAsync("/api/identity/tokens", new { email, password = "a long enough passphrase" }, Cancel);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await login.Content.ReadFromJsonAsync<Tokens>(Cancel))!;
    }

    private static HttpRequestMessage Me(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/users/me");
        return token is null ? request : request.WithBearer(token);
    }

    [Fact]
    public async Task A_shopper_registers_logs_in_and_reads_their_profile_through_the_gateway()
    {
        var email = NewEmail();
        var tokens = await RegisterAndLogInAsync(email);

        using var me = await Client.SendAsync(Me(tokens.AccessToken), Cancel);

        me.StatusCode.ShouldBe(HttpStatusCode.OK, "the gateway validated identity's token with keys from identity's JWKS");
        (await me.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("email").GetString().ShouldBe(email);
    }

    [Fact]
    public async Task Registering_an_email_twice_is_a_409_from_identity()
    {
        var email = NewEmail();
        await RegisterAndLogInAsync(email);

        using var again = await Client.PostAsJsonAsync("/api/identity/users", new { email, password = "another long passphrase", name = "Twin" }, Cancel);

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.ReadProblemAsync()).GetProperty("title").GetString().ShouldBe("Email already registered");
    }

    [Fact]
    public async Task Refresh_rotates_through_the_gateway_and_reusing_a_refresh_token_is_401()
    {
        var tokens = await RegisterAndLogInAsync(NewEmail());

        using var refreshed = await Client.PostAsJsonAsync("/api/identity/tokens/refresh", new { refreshToken = tokens.RefreshToken }, Cancel);
        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await refreshed.Content.ReadFromJsonAsync<Tokens>(Cancel))!.RefreshToken.ShouldNotBe(tokens.RefreshToken);

        using var reused = await Client.PostAsJsonAsync("/api/identity/tokens/refresh", new { refreshToken = tokens.RefreshToken }, Cancel);
        reused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_password_is_a_401_from_identity()
    {
        var email = NewEmail();
        await RegisterAndLogInAsync(email);

        using var login = await Client.PostAsJsonAsync("/api/identity/tokens", new { email, password = "not the passphrase" }, Cancel);

        login.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await login.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The email or password is wrong.");
    }

    [Fact]
    public async Task Identitys_public_keys_are_reachable_anonymously_through_the_gateway()
    {
        using var response = await Client.GetAsync("/api/identity/.well-known/jwks.json", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("keys").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task An_expired_token_signed_with_identitys_own_key_is_refused_at_the_edge()
    {
        var identityKey = await fixture.Identity.Services.GetRequiredService<SigningKeyRing>().GetSigningCredentialsAsync(Cancel);
        var expired = TokenForge.Expired(identityKey, Guid.NewGuid(), TimeSpan.FromMinutes(5), "customer");

        using var response = await Client.SendAsync(Me(expired), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.ReadProblemAsync()).GetProperty("detail").GetString().ShouldBe("The access token has expired.");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("stranger-signed")]
    [InlineData("alg none")]
    [InlineData("garbage")]
    public async Task Me_without_a_valid_token_is_401(string kind)
    {
        var token = kind switch
        {
            "missing" => null,
            "stranger-signed" => TokenForge.SignedByStranger(Guid.NewGuid(), "admin"),
            "alg none" => TokenForge.Unsigned(Guid.NewGuid()),
            _ => "garbage",
        };

        using var response = await Client.SendAsync(Me(token), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.ReadProblemAsync()).GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task Malformed_JSON_passes_through_and_identity_answers_400()
    {
        using var response = await Client.PostAsync("/api/identity/users",
            new StringContent("""{"email": "a@b.c", "password": """, Encoding.UTF8, "application/json"), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadProblemAsync()).GetProperty("title").GetString().ShouldBe("Malformed request");
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_a_400_naming_the_field()
    {
        using var response = await Client.PostAsync("/api/identity/users",
            new StringContent("""{"email": 42, "password": "a long enough passphrase", "name": "X"}""", Encoding.UTF8, "application/json"), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadProblemAsync()).GetProperty("field").GetString().ShouldBe("email");
    }

    [Fact]
    public async Task An_invalid_email_is_a_400_validation_problem_from_identity()
    {
        using var response = await Client.PostAsJsonAsync("/api/identity/users", new { email = "not-an-email", password = "a long enough passphrase", name = "X" }, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadProblemAsync()).GetProperty("errors").TryGetProperty("email", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_huge_body_is_refused_by_the_gateway_with_413()
    {
        var huge = "{\"email\":\"" + new string('a', 3 * 1024 * 1024) + "\"}";

        using var response = await Client.PostAsync("/api/identity/users", new StringContent(huge, Encoding.UTF8, "application/json"), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ReadProblemAsync()).GetProperty("status").GetInt32().ShouldBe(413);
    }

    [Fact]
    public async Task The_seeded_admin_reaches_admin_endpoints_and_a_customer_gets_identitys_403()
    {
        using var login = await Client.PostAsJsonAsync("/api/identity/tokens", new { email = IdentityFactory.AdminEmail, password = IdentityFactory.AdminPassword }, Cancel);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        var admin = (await login.Content.ReadFromJsonAsync<Tokens>(Cancel))!;
        var customer = await RegisterAndLogInAsync(NewEmail());

        using var asAdmin = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/identity/admin/signing-keys").WithBearer(admin.AccessToken), Cancel);
        using var asCustomer = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/identity/admin/signing-keys").WithBearer(customer.AccessToken), Cancel);

        asAdmin.StatusCode.ShouldBe(HttpStatusCode.OK);
        asCustomer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_gateway_is_ready_when_identity_is()
    {
        using var response = await Client.GetAsync("/health/ready", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("checks").GetProperty("identity").GetProperty("status").GetString().ShouldBe("Healthy");
    }
}
