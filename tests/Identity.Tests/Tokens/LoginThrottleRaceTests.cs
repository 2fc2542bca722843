namespace Stampede.Identity.Tests.Tokens;

public sealed class LoginThrottleRaceTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task Forty_parallel_wrong_logins_for_one_account_try_at_most_the_limit_and_then_lock_it()
    {
        var user = await app.RegisterAsync();
        var client = app.Client(forwardedFor: "192.0.2.77");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 40).Select(async _ =>
        {
            await go.Task;
            return await client.PostAsJsonAsync("/tokens", new { email = user.Email, password = "not-the-password-1" });
        }).ToList();
        go.SetResult();
        var responses = await Task.WhenAll(attempts);

        var tried = responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        var refused = responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        tried.ShouldBeLessThanOrEqualTo(5, $"{tried} answered 401, {refused} answered 429");
        (tried + refused).ShouldBe(40);
        var right = await client.PostAsJsonAsync("/tokens", new { email = user.Email, password = IdentityApp.Password });
        await right.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }
}
