using Microsoft.Extensions.DependencyInjection;
using Stampede.Identity.Tokens;

namespace Stampede.Identity.Tests.Tokens;

/// <summary>Lifetimes and windows, with the service's clock moved forward.</summary>
public sealed class TokenExpiryTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task A_refresh_token_expires_after_fourteen_days()
    {
        var (_, pair) = await app.CustomerAsync();
        var tokens = await app.LoginAsync((await app.RegisterAsync()).Email);

        app.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1));

        (await (await app.Client().PostAsJsonAsync("/tokens/refresh", new { refreshToken = pair.RefreshToken })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized))
            .GetProperty("detail").GetString()!.ShouldContain("expired");
        await (await app.Client().PostAsJsonAsync("/tokens/refresh", new { refreshToken = tokens.RefreshToken })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_locked_account_can_log_in_again_after_the_window()
    {
        var user = await app.RegisterAsync();
        var client = app.Client(forwardedFor: "192.0.2.50");
        for (var i = 0; i < 5; i++)
            await (await client.PostAsJsonAsync("/tokens", new { email = user.Email, password = "not-the-password-1" })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var locked = await client.PostAsJsonAsync("/tokens", new { email = user.Email, password = IdentityApp.Password });
        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);

        app.Clock.Advance(locked.Headers.RetryAfter!.Delta!.Value);

        var response = await client.PostAsJsonAsync("/tokens", new { email = user.Email, password = IdentityApp.Password });
        await response.ShouldBeAsync(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<TokenPair>())!.AccessToken.ShouldNotBeNullOrEmpty();
    }
}

public sealed class ExpiredRowSweeperTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task The_sweeper_deletes_expired_sessions_failures_and_codes_but_keeps_users()
    {
        var (user, _) = await app.CustomerAsync();
        await (await app.Client(forwardedFor: "192.0.2.60").PostAsJsonAsync("/tokens", new { email = user.Email, password = "not-the-password-1" }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var sweeper = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Stampede.Identity.Persistence.ExpiredRowSweeper>().Single();

        app.Clock.Advance(TimeSpan.FromDays(16));
        await sweeper.SweepAsync(CancellationToken.None);

        (await app.QuerySingleAsync<long>("SELECT count(*) FROM refresh_token_families WHERE user_id = @id", new { id = user.Id })).ShouldBe(0);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM login_failures WHERE key IN (@email, '192.0.2.60')", new { email = user.Email })).ShouldBe(0);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM verification_codes WHERE user_id = @id", new { id = user.Id })).ShouldBe(0);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM users WHERE id = @id", new { id = user.Id })).ShouldBe(1);
    }
}
