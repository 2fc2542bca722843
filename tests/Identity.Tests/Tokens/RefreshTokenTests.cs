using System.Security.Cryptography;
using System.Text;
using Stampede.Identity.Tokens;
using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Tokens;

public sealed class RefreshTokenTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        app.Client().PostAsJsonAsync("/tokens/refresh", new { refreshToken });

    private async Task<TokenPair> RefreshedAsync(string refreshToken)
    {
        var response = await RefreshAsync(refreshToken);
        await response.ShouldBeAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!;
    }

    [Fact]
    public async Task Refresh_returns_a_new_pair_that_works()
    {
        var (user, first) = await app.CustomerAsync();

        var second = await RefreshedAsync(first.RefreshToken);

        second.RefreshToken.ShouldNotBe(first.RefreshToken);
        second.AccessToken.ShouldNotBe(first.AccessToken);
        second.TokenType.ShouldBe("Bearer");
        (await app.Client(second.AccessToken).GetFromJsonAsync<UserProfile>("/users/me"))!.Id.ShouldBe(user.Id);
        var third = await RefreshedAsync(second.RefreshToken);
        third.RefreshToken.ShouldNotBe(second.RefreshToken);
    }

    [Fact]
    public async Task Refresh_token_reuse_revokes_the_whole_family()
    {
        var (_, first) = await app.CustomerAsync();
        var second = await RefreshedAsync(first.RefreshToken);

        var replay = await RefreshAsync(first.RefreshToken);

        (await replay.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldContain("already used");
        // The newest token of the family is dead too: whoever holds it must log in again.
        (await (await RefreshAsync(second.RefreshToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized))
            .GetProperty("detail").GetString()!.ShouldContain("revoked");
    }

    [Fact]
    public async Task Reuse_revokes_only_that_family_not_the_users_other_sessions()
    {
        var (user, phone) = await app.CustomerAsync();
        var laptop = await app.LoginAsync(user.Email);
        await RefreshedAsync(phone.RefreshToken);

        await (await RefreshAsync(phone.RefreshToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        await RefreshedAsync(laptop.RefreshToken);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_have_exactly_one_winner()
    {
        var (_, pair) = await app.CustomerAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => RefreshAsync(pair.RefreshToken)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized).ShouldBe(5);
        // The losers presented a spent token, which is indistinguishable from theft: the family is revoked.
        var winner = (await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<TokenPair>())!;
        await (await RefreshAsync(winner.RefreshToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token_and_its_family()
    {
        var (_, first) = await app.CustomerAsync();
        var second = await RefreshedAsync(first.RefreshToken);

        var logout = await app.Client().PostAsJsonAsync("/tokens/revoke", new { refreshToken = second.RefreshToken });

        await logout.ShouldBeAsync(HttpStatusCode.NoContent);
        (await (await RefreshAsync(second.RefreshToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized))
            .GetProperty("detail").GetString()!.ShouldContain("revoked");
        await (await app.Client().PostAsJsonAsync("/tokens/revoke", new { refreshToken = second.RefreshToken })).ShouldBeAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Logout_with_an_unknown_token_is_204_and_without_one_is_400()
    {
        await (await app.Client().PostAsJsonAsync("/tokens/revoke", new { refreshToken = "unknown" })).ShouldBeAsync(HttpStatusCode.NoContent);

        var missing = await app.Client().PostAsJsonAsync("/tokens/revoke", new { });

        (await missing.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("refreshToken").ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29y")]
    [InlineData("' OR '1'='1")]
    public async Task An_unknown_refresh_token_is_401(string refreshToken)
    {
        (await (await RefreshAsync(refreshToken)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized))
            .GetProperty("detail").GetString().ShouldBe("The refresh token is invalid.");
    }

    [Fact]
    public async Task A_missing_refresh_token_is_refused_naming_the_field()
    {
        var response = await app.Client().PostAsJsonAsync("/tokens/refresh", new { refreshToken = "" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("refreshToken").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_sha256_hashes()
    {
        var (_, pair) = await app.CustomerAsync();

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(pair.RefreshToken));

        (await app.QuerySingleAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = @hash", new { hash })).ShouldBe(1);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || @token || '%'",
            new { token = pair.RefreshToken })).ShouldBe(0);
    }
}
