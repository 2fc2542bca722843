using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Stampede.Identity.Admin;

namespace Stampede.Identity.Tests.Keys;

public sealed class JwksTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private async Task<JsonWebKeySet> JwksAsync()
    {
        var response = await app.Client().GetAsync("/.well-known/jwks.json");
        await response.ShouldBeAsync(HttpStatusCode.OK);
        return new JsonWebKeySet(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_jwks_publishes_rsa_signing_keys_including_the_one_that_signed_a_token()
    {
        var (_, tokens) = await app.CustomerAsync();
        var kid = new JsonWebToken(tokens.AccessToken).Kid;

        var jwks = await JwksAsync();

        jwks.Keys.Count.ShouldBeGreaterThanOrEqualTo(2, "the active key and the next one, published before it signs");
        jwks.Keys.ShouldAllBe(k => k.Kty == "RSA" && k.Use == "sig" && k.Alg == "RS256" && k.Kid.Length > 0 && k.N.Length > 300 && k.E.Length > 0);
        jwks.Keys.ShouldAllBe(k => !k.HasPrivateKey);
        jwks.Keys.Select(k => k.Kid).ShouldContain(kid);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = "stampede-identity",
            ValidAudience = "stampede",
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });
        validation.IsValid.ShouldBeTrue(validation.Exception?.Message);
    }

    [Fact]
    public async Task The_jwks_is_anonymous_and_holds_no_private_parameters()
    {
        var body = await app.Client().GetStringAsync("/.well-known/jwks.json");

        var key = JsonDocument.Parse(body).RootElement.GetProperty("keys")[0];
        key.EnumerateObject().Select(p => p.Name).ShouldBe(["kty", "use", "alg", "kid", "n", "e"], ignoreOrder: true);
    }

    [Fact]
    public async Task Rotation_keeps_old_tokens_valid_and_new_tokens_use_the_new_kid()
    {
        var (user, before) = await app.CustomerAsync();
        var oldKid = new JsonWebToken(before.AccessToken).Kid;
        var pendingKid = (await JwksAsync()).Keys.Select(k => k.Kid).Single(k => k != oldKid);
        await (await app.Client(before.AccessToken).GetAsync("/users/me")).ShouldBeAsync(HttpStatusCode.OK);

        var admin = await app.AdminAsync();
        var rotate = await app.Client(admin.AccessToken).PostAsync("/admin/signing-keys/rotate", null);

        await rotate.ShouldBeAsync(HttpStatusCode.OK);
        var rotation = (await rotate.Content.ReadFromJsonAsync<SigningKeyRotation>())!;
        rotation.ActiveKid.ShouldBe(pendingKid);
        rotation.Keys.Single(k => k.Kid == oldKid).State.ShouldBe("retired");
        var after = await app.LoginAsync(user.Email);
        new JsonWebToken(after.AccessToken).Kid.ShouldBe(pendingKid);
        await (await app.Client(after.AccessToken).GetAsync("/users/me")).ShouldBeAsync(HttpStatusCode.OK);
        await (await app.Client(before.AccessToken).GetAsync("/users/me")).ShouldBeAsync(HttpStatusCode.OK);
        (await JwksAsync()).Keys.Select(k => k.Kid).ShouldContain(oldKid);
        (await JwksAsync()).Keys.Count.ShouldBe(3);
    }
}
