using Microsoft.IdentityModel.JsonWebTokens;
using Stampede.Identity.DevMailbox;
using Stampede.Identity.Keys;
using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Admin;

public sealed class AdminTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task The_configured_admin_exists_verified_with_the_admin_and_customer_roles()
    {
        var tokens = await app.AdminAsync();

        var me = await app.Client(tokens.AccessToken).GetFromJsonAsync<UserProfile>("/users/me");

        me!.Email.ShouldBe(IdentityApp.AdminEmail);
        me.EmailVerified.ShouldBeTrue();
        me.Roles.ShouldBe(["admin", "customer"], ignoreOrder: true);
        new JsonWebToken(tokens.AccessToken).Claims.Where(c => c.Type == "role").Select(c => c.Value).ShouldBe(["admin", "customer"], ignoreOrder: true);
    }

    [Fact]
    public async Task An_admin_finds_users_by_a_literal_email_fragment()
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);
        var marker = Guid.NewGuid().ToString("N")[..10];
        var user = await app.RegisterAsync($"find_{marker}%@example.com");
        await app.RegisterAsync($"find_{marker}x@example.com");

        var found = await admin.GetFromJsonAsync<List<UserProfile>>($"/admin/users?email={Uri.EscapeDataString(marker.ToUpperInvariant() + "%")}");

        found!.Select(u => u.Id).ShouldBe([user.Id]);
        (await admin.GetFromJsonAsync<List<UserProfile>>("/admin/users?limit=1"))!.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_admin_reads_one_user_and_gets_404_for_an_unknown_id()
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);
        var user = await app.RegisterAsync();

        (await admin.GetFromJsonAsync<UserProfile>($"/admin/users/{user.Id}"))!.Email.ShouldBe(user.Email);
        await (await admin.GetAsync($"/admin/users/{Guid.NewGuid()}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(201)]
    public async Task A_limit_out_of_range_is_refused_naming_the_field(int limit)
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);

        var response = await admin.GetAsync($"/admin/users?limit={limit}");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("limit").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task The_dev_mailbox_shows_an_admin_the_codes_sent()
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);
        var user = await app.RegisterAsync();

        var mail = await admin.GetFromJsonAsync<List<DevMail>>($"/dev/mailbox?email={Uri.EscapeDataString(user.Email)}");

        var only = mail!.ShouldHaveSingleItem();
        only.Email.ShouldBe(user.Email);
        only.Code.ShouldMatch("^[0-9]{6}$");
        (only.ExpiresAt - only.SentAt).ShouldBe(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task An_admin_lists_the_signing_keys_with_their_states()
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);

        var keys = await admin.GetFromJsonAsync<List<SigningKeyState>>("/admin/signing-keys");

        keys!.Select(k => k.State).ShouldBe(["active", "pending"], ignoreOrder: true);
    }
}

public sealed class DevMailboxOffTests(DevMailboxOffTests.App app) : IClassFixture<DevMailboxOffTests.App>
{
    public sealed class App : IdentityApp
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Identity:DevMailbox", "false")];
    }

    [Fact]
    public async Task With_the_dev_mailbox_off_the_endpoint_is_404_and_nothing_is_kept()
    {
        var admin = app.Client((await app.AdminAsync()).AccessToken);
        var user = await app.RegisterAsync();

        await (await admin.GetAsync("/dev/mailbox")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM dev_mailbox")).ShouldBe(0);
        // The code still goes out as an event for the notification service.
        (await app.QuerySingleAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE event_name = 'identity.verification-code-issued.v1' AND payload::jsonb ->> 'userId' = @id",
            new { id = user.Id.ToString() })).ShouldBe(1);
    }
}
