using Microsoft.IdentityModel.Tokens;
using Stampede.Testing;

namespace Stampede.Identity.Tests.Keys;

public sealed class KeyRingStartupTests
{
    private sealed class SharedDatabaseApp(string connectionString) : IdentityApp(connectionString);

    [Fact]
    public async Task Two_instances_starting_together_create_one_key_ring_and_one_admin()
    {
        var connectionString = TestServers.NewDatabase("identity");
        await using var first = new SharedDatabaseApp(connectionString);
        await using var second = new SharedDatabaseApp(connectionString);

        await Task.WhenAll(Task.Run(() => first.InitializeAsync().AsTask()), Task.Run(() => second.InitializeAsync().AsTask()));

        var states = await first.QueryAsync<(string Kid, bool Active)>(
            "SELECT kid, activated_at IS NOT NULL FROM signing_keys WHERE retired_at IS NULL");
        states.Count(s => s.Active).ShouldBe(1);
        states.Count(s => !s.Active).ShouldBe(1);
        (await first.QuerySingleAsync<long>("SELECT count(*) FROM users WHERE email = @email", new { email = IdentityApp.AdminEmail })).ShouldBe(1);
        var firstKeys = new JsonWebKeySet(await first.Client().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).Order();
        var secondKeys = new JsonWebKeySet(await second.Client().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).Order();
        firstKeys.ShouldBe(secondKeys);

        // A token from one instance is accepted by the other.
        var tokens = await first.AdminAsync();
        await (await second.Client(tokens.AccessToken).GetAsync("/admin/users")).ShouldBeAsync(HttpStatusCode.OK);
    }
}
