using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stampede.Identity.Tests.Keys;

/// <summary>Retired keys leave the JWKS after the grace period (the service's clock moves forward).</summary>
public sealed class KeyRetirementTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task A_retired_key_leaves_the_jwks_after_the_grace_period()
    {
        var admin = await app.AdminAsync();
        var oldKid = new JsonWebToken(admin.AccessToken).Kid;
        await (await app.Client(admin.AccessToken).PostAsync("/admin/signing-keys/rotate", null)).ShouldBeAsync(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromHours(23));
        new JsonWebKeySet(await app.Client().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).ShouldContain(oldKid);

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var kids = new JsonWebKeySet(await app.Client().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).ToList();

        kids.ShouldNotContain(oldKid);
        kids.Count.ShouldBe(2);
    }
}
