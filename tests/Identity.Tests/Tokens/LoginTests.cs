using Microsoft.IdentityModel.JsonWebTokens;
using Stampede.Identity.Tokens;

namespace Stampede.Identity.Tests.Tokens;

public sealed class LoginTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/tokens", new { email, password });

    [Fact]
    public async Task Login_returns_a_bearer_pair_whose_access_token_describes_the_user()
    {
        var user = await app.RegisterAsync(name: "Grace Hopper");

        var response = await LoginAsync(app.Client(), " " + user.Email.ToUpperInvariant(), IdentityApp.Password);

        await response.ShouldBeAsync(HttpStatusCode.OK);
        var pair = (await response.Content.ReadFromJsonAsync<TokenPair>())!;
        pair.TokenType.ShouldBe("Bearer");
        pair.ExpiresIn.ShouldBe(900);
        pair.RefreshToken.Length.ShouldBe(43);
        var token = new JsonWebToken(pair.AccessToken);
        token.Alg.ShouldBe("RS256");
        token.Kid.ShouldNotBeNullOrEmpty();
        token.Issuer.ShouldBe("stampede-identity");
        token.Audiences.ShouldBe(["stampede"]);
        token.Subject.ShouldBe(user.Id.ToString());
        token.GetClaim("email").Value.ShouldBe(user.Email);
        token.GetClaim("name").Value.ShouldBe("Grace Hopper");
        token.Claims.Where(c => c.Type == "role").Select(c => c.Value).ShouldBe(["customer"]);
        token.GetClaim("email_verified").Value.ShouldBe("false");
        token.Id.ShouldNotBeNullOrEmpty();
        (token.ValidTo - token.IssuedAt).ShouldBe(TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_401()
    {
        var user = await app.RegisterAsync();
        var client = app.Client(forwardedFor: "192.0.2.10");

        var wrongPassword = await (await LoginAsync(client, user.Email, "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var unknownEmail = await (await LoginAsync(client, IdentityApp.NewEmail(), IdentityApp.Password)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        wrongPassword.GetProperty("detail").GetString().ShouldBe("The email or password is wrong.");
        unknownEmail.GetProperty("detail").GetString().ShouldBe(wrongPassword.GetProperty("detail").GetString());
        unknownEmail.GetProperty("title").GetString().ShouldBe(wrongPassword.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Five_failures_lock_the_account_with_429_and_Retry_After_from_any_address()
    {
        var user = await app.RegisterAsync();
        var client = app.Client(forwardedFor: "192.0.2.20");
        for (var i = 0; i < 5; i++)
            await (await LoginAsync(client, user.Email, "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var locked = await LoginAsync(client, user.Email, IdentityApp.Password);

        var problem = await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem.GetProperty("detail").GetString()!.ShouldContain("this account");
        locked.Headers.RetryAfter!.Delta!.Value.ShouldBeInRange(TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        var elsewhere = await LoginAsync(app.Client(forwardedFor: "192.0.2.21"), user.Email, IdentityApp.Password);
        await elsewhere.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Twenty_failures_from_one_address_lock_that_address_only()
    {
        var user = await app.RegisterAsync();
        var attacker = app.Client(forwardedFor: "203.0.113.9, 10.0.0.1");
        for (var i = 0; i < 20; i++)
            await (await LoginAsync(attacker, IdentityApp.NewEmail("guess"), "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var fromAttacker = await LoginAsync(attacker, user.Email, IdentityApp.Password);

        (await fromAttacker.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("detail").GetString()!.ShouldContain("this address");
        fromAttacker.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.FromMinutes(14));
        await (await LoginAsync(app.Client(forwardedFor: "203.0.113.10"), user.Email, IdentityApp.Password)).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_successful_login_clears_the_account_failure_count()
    {
        var user = await app.RegisterAsync();
        var client = app.Client(forwardedFor: "192.0.2.30");
        for (var i = 0; i < 4; i++) await (await LoginAsync(client, user.Email, "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await LoginAsync(client, user.Email, IdentityApp.Password)).ShouldBeAsync(HttpStatusCode.OK);

        for (var i = 0; i < 4; i++) await (await LoginAsync(client, user.Email, "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        await (await LoginAsync(client, user.Email, IdentityApp.Password)).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Failed_logins_are_counted_in_postgres_per_account_and_per_address()
    {
        var email = IdentityApp.NewEmail("counted");

        await (await LoginAsync(app.Client(forwardedFor: "192.0.2.40"), email, "not-the-password-1")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        (await app.QuerySingleAsync<long>("SELECT count(*) FROM login_failures WHERE scope = 'account' AND key = @email", new { email })).ShouldBe(1);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM login_failures WHERE scope = 'ip' AND key = '192.0.2.40'")).ShouldBe(1);
    }

    [Fact]
    public async Task Missing_credentials_are_refused_naming_the_fields()
    {
        var response = await app.Client().PostAsJsonAsync("/tokens", new { });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("email").ShouldNotBeEmpty();
        problem.ErrorsFor("password").ShouldNotBeEmpty();
    }
}
