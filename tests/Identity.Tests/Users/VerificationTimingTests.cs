namespace Stampede.Identity.Tests.Users;

/// <summary>Code lifetime and resend throttling, with the service's clock moved forward.</summary>
public sealed class VerificationTimingTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private Task<HttpResponseMessage> VerifyAsync(string email, string code) =>
        app.Client().PostAsJsonAsync("/users/verification", new { email, code });

    private Task<HttpResponseMessage> ResendAsync(string email) =>
        app.Client().PostAsJsonAsync("/users/verification/resend", new { email });

    [Fact]
    public async Task A_code_expires_after_ten_minutes()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);

        app.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var response = await VerifyAsync(user.Email, code);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("code").ShouldHaveSingleItem().ShouldContain("expired");
    }

    [Fact]
    public async Task Resending_within_a_minute_is_429_with_Retry_After_and_works_after_it()
    {
        var user = await app.RegisterAsync();
        var first = await app.LatestCodeAsync(user.Email);

        var tooSoon = await ResendAsync(user.Email);

        await tooSoon.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        var retryAfter = tooSoon.Headers.RetryAfter!.Delta!.Value;
        retryAfter.ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        app.Clock.Advance(retryAfter);
        await (await ResendAsync(user.Email)).ShouldBeAsync(HttpStatusCode.Accepted);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM dev_mailbox WHERE email = @email", new { email = user.Email })).ShouldBe(2);
        var second = await app.LatestCodeAsync(user.Email);
        if (second != first) await (await VerifyAsync(user.Email, first)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await VerifyAsync(user.Email, second)).ShouldBeAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task After_five_wrong_codes_a_resent_code_works()
    {
        var user = await app.RegisterAsync();
        for (var i = 0; i < 5; i++) await (await VerifyAsync(user.Email, "000000")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await ResendAsync(user.Email)).ShouldBeAsync(HttpStatusCode.Accepted);

        await (await VerifyAsync(user.Email, await app.LatestCodeAsync(user.Email))).ShouldBeAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Resend_answers_the_same_for_unknown_and_verified_addresses_and_sends_nothing()
    {
        var unknown = IdentityApp.NewEmail("unknown");
        var (verified, _) = await app.CustomerAsync(verified: true);
        app.Clock.Advance(TimeSpan.FromSeconds(61));

        await (await ResendAsync(unknown)).ShouldBeAsync(HttpStatusCode.Accepted);
        await (await ResendAsync(verified.Email)).ShouldBeAsync(HttpStatusCode.Accepted);
        // Throttled alike, so the 429 does not reveal which addresses have accounts either.
        await (await ResendAsync(unknown)).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);

        (await app.QuerySingleAsync<long>("SELECT count(*) FROM dev_mailbox WHERE email = @unknown", new { unknown })).ShouldBe(0);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM dev_mailbox WHERE email = @email", new { email = verified.Email })).ShouldBe(1);
    }

    [Fact]
    public async Task Resend_with_an_invalid_email_is_refused_naming_the_field()
    {
        var response = await ResendAsync("not-an-email");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("email").ShouldHaveSingleItem();
    }
}
