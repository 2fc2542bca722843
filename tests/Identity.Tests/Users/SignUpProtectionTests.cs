using Microsoft.Extensions.DependencyInjection;

namespace Stampede.Identity.Tests.Users;

public sealed class SignUpProtectionTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task Parallel_sign_ups_with_a_taken_email_answer_409_without_hashing_a_password()
    {
        var user = await app.RegisterAsync();
        using var meter = new PasswordHashMeter(app.Services);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            app.Client(forwardedFor: $"198.51.100.{i + 1}").PostAsJsonAsync("/users", new { email = user.Email, password = IdentityApp.Password, name = "Twin" })));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Conflict);
        meter.Hashes.ShouldBe(0);
        var problem = await responses[0].ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem.GetProperty("detail").GetString()!.ShouldContain("already exists");
    }

    [Fact]
    public async Task A_new_email_is_hashed_once()
    {
        using var meter = new PasswordHashMeter(app.Services);

        await app.RegisterAsync();

        meter.Hashes.ShouldBe(1);
    }
}

public sealed class SignUpThrottleTests(SignUpThrottleTests.App app) : IClassFixture<SignUpThrottleTests.App>
{
    public sealed class App : IdentityApp
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Identity:MaxSignUpsPerIp", "3")];
    }

    private Task<HttpResponseMessage> SignUpAsync(string ip, string? email = null) =>
        app.Client(forwardedFor: ip).PostAsJsonAsync("/users", new { email = email ?? IdentityApp.NewEmail(), password = IdentityApp.Password, name = "Signer" });

    [Fact]
    public async Task Ten_parallel_sign_ups_from_one_address_admit_the_limit_and_answer_429_with_retry_after_to_the_rest()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SignUpAsync("203.0.113.10")));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(3);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        refused.Count.ShouldBe(7);
        await refused[0].ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        refused[0].Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.FromMinutes(59));
        await (await SignUpAsync("203.0.113.11")).ShouldBeAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Attempts_with_a_taken_email_count_too()
    {
        var user = await app.RegisterAsync();
        for (var i = 0; i < 3; i++) await (await SignUpAsync("203.0.113.20", user.Email)).ShouldBeAsync(HttpStatusCode.Conflict);

        await (await SignUpAsync("203.0.113.20")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task IPv6_addresses_count_per_64()
    {
        await (await SignUpAsync("2001:db8:1:2::1")).ShouldBeAsync(HttpStatusCode.Created);
        await (await SignUpAsync("2001:db8:1:2:aaaa::2")).ShouldBeAsync(HttpStatusCode.Created);
        await (await SignUpAsync("2001:db8:1:2:ffff:ffff:ffff:ffff")).ShouldBeAsync(HttpStatusCode.Created);

        await (await SignUpAsync("2001:db8:1:2::77")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        await (await SignUpAsync("2001:db8:1:3::1")).ShouldBeAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_row_sweeper_keeps_sign_ups_for_the_whole_window_not_the_login_window()
    {
        for (var i = 0; i < 3; i++) await (await SignUpAsync("203.0.113.40")).ShouldBeAsync(HttpStatusCode.Created);
        var sweeper = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Stampede.Identity.Persistence.ExpiredRowSweeper>().Single();

        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await sweeper.SweepAsync(CancellationToken.None);

        await (await SignUpAsync("203.0.113.40")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        await sweeper.SweepAsync(CancellationToken.None);
        // Refused attempts are not recorded, so once the window has passed nothing is left.
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM login_failures WHERE scope = 'signup' AND key = '203.0.113.40'")).ShouldBe(0);
    }

    [Fact]
    public async Task The_window_passing_admits_sign_ups_again()
    {
        for (var i = 0; i < 3; i++) await (await SignUpAsync("203.0.113.30")).ShouldBeAsync(HttpStatusCode.Created);
        await (await SignUpAsync("203.0.113.30")).ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        await (await SignUpAsync("203.0.113.30")).ShouldBeAsync(HttpStatusCode.Created);
    }
}

public sealed class SignUpHashingLimitTests(SignUpHashingLimitTests.App app) : IClassFixture<SignUpHashingLimitTests.App>
{
    public sealed class App : IdentityApp
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
            [new("Identity:SignUpHashConcurrency", "1"), new("Identity:SignUpHashQueueTimeout", "00:00:00.050")];
    }

    [Fact]
    public async Task Parallel_sign_ups_hash_one_at_a_time_and_those_that_wait_too_long_answer_503_with_retry_after()
    {
        var user = await app.RegisterAsync();
        using var meter = new PasswordHashMeter(app.Services);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signUps = Enumerable.Range(0, 16).Select(async i =>
        {
            await go.Task;
            return await app.Client(forwardedFor: $"192.0.2.{i + 1}").PostAsJsonAsync("/users",
                new { email = IdentityApp.NewEmail("burst"), password = IdentityApp.Password, name = "Burst" });
        }).ToList();
        go.SetResult();
        // A login during the burst still works: it does not queue behind sign-ups.
        var login = await app.Client().PostAsJsonAsync("/tokens", new { email = user.Email, password = IdentityApp.Password });
        var responses = await Task.WhenAll(signUps);

        await login.ShouldBeAsync(HttpStatusCode.OK);
        meter.MostRunningAtOnce.ShouldBe(1);
        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        (created + busy.Count).ShouldBe(16);
        busy.ShouldNotBeEmpty();
        await busy[0].ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        busy[0].Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        meter.Hashes.ShouldBe(created);
        (await app.CountUsersAsync()).ShouldBe(created + 2);
    }
}
