using Microsoft.IdentityModel.JsonWebTokens;
using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Users;

public sealed class VerifyEmailTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private Task<HttpResponseMessage> VerifyAsync(string email, string code) =>
        app.Client().PostAsJsonAsync("/users/verification", new { email, code });

    [Fact]
    public async Task The_emailed_code_verifies_the_address()
    {
        var user = await app.RegisterAsync();
        var before = await app.LoginAsync(user.Email);
        new JsonWebToken(before.AccessToken).GetClaim("email_verified").Value.ShouldBe("false");

        var response = await VerifyAsync(" " + user.Email.ToUpperInvariant(), await app.LatestCodeAsync(user.Email));

        await response.ShouldBeAsync(HttpStatusCode.NoContent);
        var me = await app.Client(before.AccessToken).GetFromJsonAsync<UserProfile>("/users/me");
        me!.EmailVerified.ShouldBeTrue();
        var after = await app.LoginAsync(user.Email);
        new JsonWebToken(after.AccessToken).GetClaim("email_verified").Value.ShouldBe("true");
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM verification_codes WHERE user_id = @id", new { id = user.Id })).ShouldBe(0);
        (await app.QuerySingleAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE event_name = 'identity.user-email-verified.v1' AND payload::jsonb ->> 'userId' = @id",
            new { id = user.Id.ToString() })).ShouldBe(1);
    }

    [Fact]
    public async Task Verifying_again_after_success_is_harmless()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);
        await (await VerifyAsync(user.Email, code)).ShouldBeAsync(HttpStatusCode.NoContent);

        await (await VerifyAsync(user.Email, code)).ShouldBeAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_wrong_code_says_how_many_tries_are_left()
    {
        var user = await app.RegisterAsync();

        var response = await VerifyAsync(user.Email, WrongCode(await app.LatestCodeAsync(user.Email)));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("code").ShouldHaveSingleItem().ShouldBe("The code is wrong. 4 tries left.");
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_code()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);
        for (var i = 0; i < 5; i++) await (await VerifyAsync(user.Email, WrongCode(code))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        var withTheRightCode = await VerifyAsync(user.Email, code);

        var problem = await withTheRightCode.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("code").ShouldHaveSingleItem().ShouldContain("request a new code");
        (await app.QuerySingleAsync<DateTime?>("SELECT email_verified_at FROM users WHERE id = @id", new { id = user.Id })).ShouldBeNull();
    }

    [Fact]
    public async Task Concurrent_guesses_cannot_exceed_five_tries()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => VerifyAsync(user.Email, WrongCode(code))));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.BadRequest);
        (await app.QuerySingleAsync<int>("SELECT failed_attempts FROM verification_codes WHERE user_id = @id", new { id = user.Id })).ShouldBe(5);
        await (await VerifyAsync(user.Email, code)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_email_looks_like_a_wrong_code()
    {
        var response = await VerifyAsync(IdentityApp.NewEmail("nobody"), "123456");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("code").ShouldHaveSingleItem().ShouldBe("The code is wrong.");
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("abcdef")]
    [InlineData("")]
    public async Task A_code_that_is_not_six_digits_is_refused_naming_the_field(string code)
    {
        var response = await VerifyAsync(IdentityApp.NewEmail(), code);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("code").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task The_code_is_stored_hashed()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);

        var stored = await app.QuerySingleAsync<byte[]>("SELECT code_hash FROM verification_codes WHERE user_id = @id", new { id = user.Id });

        stored.Length.ShouldBe(32);
        System.Text.Encoding.ASCII.GetString(stored).ShouldNotContain(code);
    }

    private static string WrongCode(string code) => ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
