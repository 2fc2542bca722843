using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Stampede.Identity.Users;
using Stampede.Testing;

namespace Stampede.Identity.Tests.Tokens;

/// <summary>Identity checks its own access tokens with its key ring and refuses anything else.</summary>
public sealed class AccessTokenValidationTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private async Task<System.Text.Json.JsonElement> MeShouldBeRefusedAsync(string? accessToken)
    {
        var response = await app.Client(accessToken).GetAsync("/users/me");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        return problem;
    }

    [Fact]
    public async Task Me_with_a_valid_token_returns_the_profile()
    {
        var (user, tokens) = await app.CustomerAsync();

        var me = await app.Client(tokens.AccessToken).GetFromJsonAsync<UserProfile>("/users/me");

        me.ShouldNotBeNull();
        me.Id.ShouldBe(user.Id);
        me.Email.ShouldBe(user.Email);
        me.Name.ShouldBe(user.Name);
        me.EmailVerified.ShouldBeFalse();
        me.Roles.ShouldBe(["customer"]);
        me.CreatedAt.ShouldBe(app.Clock.GetUtcNow(), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Me_without_a_token_is_a_401_problem() =>
        (await MeShouldBeRefusedAsync(null)).GetProperty("detail").GetString()!.ShouldContain("required");

    [Fact]
    public async Task A_token_signed_by_a_stranger_is_refused()
    {
        var (user, _) = await app.CustomerAsync();

        (await MeShouldBeRefusedAsync(TokenForge.SignedByStranger(user.Id, "customer", "admin")))
            .GetProperty("detail").GetString()!.ShouldContain("invalid");
    }

    [Fact]
    public async Task An_expired_token_signed_with_identitys_own_key_is_refused_as_expired()
    {
        var (user, _) = await app.CustomerAsync();

        var expired = TokenForge.Expired(await app.SigningCredentialsAsync(), user.Id, TimeSpan.FromMinutes(5), "customer");

        (await MeShouldBeRefusedAsync(expired)).GetProperty("detail").GetString()!.ShouldContain("expired");
    }

    [Fact]
    public async Task The_same_key_signs_tokens_identity_accepts_so_the_forgery_tests_are_meaningful()
    {
        var (user, _) = await app.CustomerAsync();

        var fresh = TokenForge.Create(await app.SigningCredentialsAsync(), user.Id, ["customer"], DateTime.UtcNow.AddMinutes(5));

        await (await app.Client(fresh).GetAsync("/users/me")).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var (user, _) = await app.CustomerAsync();

        await MeShouldBeRefusedAsync(TokenForge.Unsigned(user.Id));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")]
    public async Task A_garbage_token_is_refused(string token) =>
        (await MeShouldBeRefusedAsync(token)).GetProperty("detail").GetString()!.ShouldContain("invalid");

    [Fact]
    public async Task A_token_for_another_audience_or_issuer_is_refused()
    {
        var (user, _) = await app.CustomerAsync();
        var credentials = await app.SigningCredentialsAsync();

        await MeShouldBeRefusedAsync(Sign(credentials, user.Id, issuer: "stampede-identity", audience: "someone-else"));
        await MeShouldBeRefusedAsync(Sign(credentials, user.Id, issuer: "evil-identity", audience: "stampede"));
    }

    [Fact]
    public async Task A_token_whose_payload_was_edited_is_refused()
    {
        var (_, tokens) = await app.CustomerAsync();
        var parts = tokens.AccessToken.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);

        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        await MeShouldBeRefusedAsync(tampered);
        (await app.Client(tampered).GetAsync("/admin/users")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("GET", "/admin/users")]
    [InlineData("GET", "/admin/signing-keys")]
    [InlineData("POST", "/admin/signing-keys/rotate")]
    [InlineData("GET", "/dev/mailbox")]
    public async Task A_customer_gets_403_and_a_stranger_401_on_admin_endpoints(string method, string path)
    {
        var (_, tokens) = await app.CustomerAsync(verified: true);

        var asCustomer = await app.Client(tokens.AccessToken).SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var anonymous = await app.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await asCustomer.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await anonymous.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static string Sign(SigningCredentials credentials, Guid userId, string issuer, string audience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("role", "customer")]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = credentials,
        });
}
