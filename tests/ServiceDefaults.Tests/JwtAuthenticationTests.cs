using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.Tokens;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.ServiceDefaults.Tests;

/// <summary>Tokens checked against keys published at a real JWKS address, as services check
/// identity's tokens.</summary>
public class JwtAuthenticationTests : IAsyncLifetime
{
    private readonly List<RsaSecurityKey> published = [NewKey("k1")];
    private int jwksFetches;
    private WebApplication jwks = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        jwks = builder.Build();
        jwks.MapGet("/jwks.json", () =>
        {
            Interlocked.Increment(ref jwksFetches);
            var keys = published.Select(k => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(k.Rsa.ExportParameters(false)) { KeyId = k.KeyId }))
                .Select(k => new { kty = k.Kty, kid = k.Kid, use = "sig", alg = "RS256", n = k.N, e = k.E });
            return Results.Json(new { keys });
        });
        await jwks.StartAsync();
    }

    public async ValueTask DisposeAsync() => await jwks.DisposeAsync();

    private static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    private static string Token(RsaSecurityKey key, DateTime? expires = null, params string[] roles) =>
        TokenForge.Create(new SigningCredentials(key, SecurityAlgorithms.RsaSha256), Guid.NewGuid(), roles, expires ?? DateTime.UtcNow.AddMinutes(5));

    private Task<WebApplication> StartServiceAsync(string? jwksUrl) => TestApp.StartAsync(
        builder => { if (jwksUrl is not null) builder.Configuration["Jwt:JwksUrl"] = jwksUrl; },
        app =>
        {
            app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => TypedResults.Ok(user.UserId())).RequireAuthorization();
            app.MapGet("/admin", () => TypedResults.Ok()).RequireAuthorization(Policies.Admin);
        });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task<string> DetailOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    [Fact]
    public async Task A_token_signed_with_a_published_key_is_accepted_and_others_are_401_problems()
    {
        await using var app = await StartServiceAsync(jwks.Urls.First() + "/jwks.json");
        var client = app.GetTestClient();

        (await GetAsync(client, "/me", Token(published[0]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var missing = await GetAsync(client, "/me", null);
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailOf(missing)).ShouldContain("required");

        var stranger = await GetAsync(client, "/me", TokenForge.SignedByStranger(Guid.NewGuid()));
        stranger.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailOf(stranger)).ShouldContain("invalid");

        var expired = await GetAsync(client, "/me", Token(published[0], DateTime.UtcNow.AddMinutes(-5)));
        expired.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await DetailOf(expired)).ShouldContain("expired");

        (await GetAsync(client, "/me", TokenForge.Unsigned(Guid.NewGuid()))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync(client, "/me", "not-a-token")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_admin_policy_needs_the_admin_role()
    {
        await using var app = await StartServiceAsync(jwks.Urls.First() + "/jwks.json");
        var client = app.GetTestClient();
        (await GetAsync(client, "/admin", Token(published[0], null, Roles.Customer))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await GetAsync(client, "/admin", Token(published[0], null, Roles.Customer, Roles.Admin))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_rotated_key_is_picked_up_when_a_token_names_it()
    {
        await using var app = await StartServiceAsync(jwks.Urls.First() + "/jwks.json");
        var client = app.GetTestClient();
        (await GetAsync(client, "/me", Token(published[0]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var rotated = NewKey("k2");
        published.Add(rotated);
        // The first sight of an unknown key id asks for a refresh; refreshes are throttled to one per 5 s.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            status = (await GetAsync(client, "/me", Token(rotated))).StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(500);
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        status.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(client, "/me", Token(published[0]))).StatusCode.ShouldBe(HttpStatusCode.OK);
        jwksFetches.ShouldBeLessThan(10);
    }

    [Fact]
    public async Task Without_reachable_keys_a_bearer_token_is_a_401_not_a_500()
    {
        await using var unconfigured = await StartServiceAsync(null);
        (await GetAsync(unconfigured.GetTestClient(), "/me", Token(published[0]))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var unreachable = await StartServiceAsync("http://127.0.0.1:1/jwks.json");
        (await GetAsync(unreachable.GetTestClient(), "/me", Token(published[0]))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
