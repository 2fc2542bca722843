using System.Text.Json;
using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Users;

public sealed class RegisterUserTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task Registering_returns_201_with_the_normalised_email_and_a_location()
    {
        var email = IdentityApp.NewEmail("Mixed.Case");
        var response = await app.Client().PostAsJsonAsync("/users",
            new { email = "  " + email.ToUpperInvariant() + " ", password = IdentityApp.Password, name = "  Ada Lovelace " });

        await response.ShouldBeAsync(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.ShouldBe("users/me");
        var user = (await response.Content.ReadFromJsonAsync<RegisteredUser>())!;
        user.Email.ShouldBe(email.ToLowerInvariant());
        user.Name.ShouldBe("Ada Lovelace");
        var roles = await app.QuerySingleAsync<string[]>("SELECT roles FROM users WHERE id = @id", new { id = user.Id });
        roles.ShouldBe(["customer"]);
    }

    [Fact]
    public async Task Registering_an_existing_email_returns_409_whatever_its_case()
    {
        var user = await app.RegisterAsync();

        var again = await app.Client().PostAsJsonAsync("/users", new { email = user.Email.ToUpperInvariant(), password = IdentityApp.Password, name = "Other" });

        var problem = await again.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem.GetProperty("detail").GetString()!.ShouldContain("already exists");
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM users WHERE email = @email", new { email = user.Email })).ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_exactly_one_account()
    {
        var email = IdentityApp.NewEmail("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            app.Client().PostAsJsonAsync("/users", new { email, password = IdentityApp.Password, name = $"Racer {i}" })));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(7);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM users WHERE email = @email", new { email })).ShouldBe(1);
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM dev_mailbox WHERE email = @email", new { email })).ShouldBe(1);
    }

    [Fact]
    public async Task Registration_writes_its_events_to_the_outbox_and_the_relay_publishes_them()
    {
        var user = await app.RegisterAsync();

        var events = await app.QueryAsync<(string Name, string Payload)>(
            "SELECT event_name, payload::text FROM messaging.outbox WHERE payload::jsonb ->> 'userId' = @id ORDER BY id",
            new { id = user.Id.ToString() });
        events.Select(e => e.Name).ShouldBe(["identity.user-registered.v1", "identity.verification-code-issued.v1"]);
        var issued = JsonDocument.Parse(events[1].Payload).RootElement;
        issued.GetProperty("email").GetString().ShouldBe(user.Email);
        issued.GetProperty("code").GetString().ShouldBe(await app.LatestCodeAsync(user.Email));
        DateTimeOffset.Parse(issued.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe(app.Clock.GetUtcNow().AddMinutes(10), TimeSpan.FromSeconds(30));

        // The relay sends outbox rows to RabbitMQ with publisher confirms and marks them sent.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long unsent;
        do
        {
            unsent = await app.QuerySingleAsync<long>(
                "SELECT count(*) FROM messaging.outbox WHERE payload::jsonb ->> 'userId' = @id AND sent_at IS NULL", new { id = user.Id.ToString() });
            if (unsent > 0) await Task.Delay(100);
        } while (unsent > 0 && DateTime.UtcNow < deadline);
        unsent.ShouldBe(0);
    }

    [Fact]
    public async Task The_password_is_stored_only_as_a_salted_slow_hash()
    {
        var first = await app.RegisterAsync();
        var second = await app.RegisterAsync();

        var hashes = await app.QueryAsync<string>("SELECT password_hash FROM users WHERE id = ANY(@ids)", new { ids = new[] { first.Id, second.Id } });
        hashes.Count.ShouldBe(2);
        hashes.ShouldAllBe(h => !h.Contains(IdentityApp.Password));
        hashes[0].ShouldNotBe(hashes[1]);
        // ASP.NET Core's v3 format: marker byte 0x01, PBKDF2 with a 16-byte salt and a 32-byte subkey.
        Convert.FromBase64String(hashes[0])[0].ShouldBe((byte)0x01);
    }

    [Theory]
    [InlineData("short", "at least 10")]
    [InlineData("password123", "too common")]
    [InlineData("QWERTYUIOP", "too common")]
    [InlineData("1234567890", "too common")]
    [InlineData("Welcome123!", "too common")]
    [InlineData("          ", "only spaces")]
    [InlineData("", "required")]
    public async Task Weak_passwords_are_refused_naming_the_password_field(string password, string reason)
    {
        var before = await app.CountUsersAsync();

        var response = await app.Client().PostAsJsonAsync("/users", new { email = IdentityApp.NewEmail(), password, name = "Weak" });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("password").ShouldHaveSingleItem().ShouldContain(reason);
        (await app.CountUsersAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Passwords_longer_than_128_characters_or_equal_to_the_email_are_refused()
    {
        var email = IdentityApp.NewEmail();
        var tooLong = await app.Client().PostAsJsonAsync("/users", new { email, password = new string('x', 129), name = "Long" });
        (await tooLong.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("password").ShouldHaveSingleItem().ShouldContain("at most 128");

        var sameAsEmail = await app.Client().PostAsJsonAsync("/users", new { email, password = email.ToUpperInvariant(), name = "Same" });
        (await sameAsEmail.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("password").ShouldHaveSingleItem().ShouldContain("email");
    }

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("@example.com")]
    [InlineData("someone@localhost")]
    [InlineData("two@@example.com")]
    [InlineData("with space@example.com")]
    [InlineData("Bob <bob@example.com>")]
    [InlineData("dots@example..com")]
    [InlineData("dot.@example.com")]
    [InlineData("hyphen@-example.com")]
    [InlineData("<script>alert(1)</script>@example.com")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("numeric-tld@example.c0m")]
    [InlineData("ünicode@example.com")]
    public async Task Invalid_emails_are_refused_naming_the_email_field(string email)
    {
        var before = await app.CountUsersAsync();

        var response = await app.Client().PostAsJsonAsync("/users", new { email, password = IdentityApp.Password, name = "Invalid" });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("email").ShouldHaveSingleItem().ShouldContain("not a valid email");
        (await app.CountUsersAsync()).ShouldBe(before);
    }

    // The service defaults' guard refuses it while reading the body, before the email rules run.
    [Fact]
    public async Task An_email_with_a_NUL_is_refused_naming_the_email_field()
    {
        var before = await app.CountUsersAsync();

        var response = await app.Client().PostAsJsonAsync("/users", new { email = "nul\u0000@example.com", password = IdentityApp.Password, name = "Invalid" });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("email").ShouldHaveSingleItem().ShouldContain("control character");
        (await app.CountUsersAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task An_email_longer_than_254_characters_is_refused()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example.com";
        email.Length.ShouldBeGreaterThan(254);

        var response = await app.Client().PostAsJsonAsync("/users", new { email, password = IdentityApp.Password, name = "Long" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("email").ShouldHaveSingleItem().ShouldContain("at most 254");
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("bell\u0007", "control")]
    [InlineData("tab\tinside", "control")]
    [InlineData("evil\u202Eoverride", "control")]
    public async Task Names_must_be_present_and_free_of_control_characters(string name, string reason)
    {
        var response = await app.Client().PostAsJsonAsync("/users", new { email = IdentityApp.NewEmail(), password = IdentityApp.Password, name });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("name").ShouldHaveSingleItem().ShouldContain(reason);
    }

    [Fact]
    public async Task Every_invalid_field_is_named_at_once()
    {
        var response = await app.Client().PostAsJsonAsync("/users", new { email = "nope", password = "short", name = new string('n', 101) });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("email").ShouldNotBeEmpty();
        problem.ErrorsFor("password").ShouldNotBeEmpty();
        problem.ErrorsFor("name").ShouldHaveSingleItem().ShouldContain("at most 100");
    }

    [Fact]
    public async Task SQL_and_script_in_fields_are_stored_verbatim_and_returned_json_encoded()
    {
        const string name = "Robert'); DROP TABLE users;-- <script>alert('x')</script>";
        var email = $"o'reilly+{Guid.NewGuid():N}--@example.com";

        var response = await app.Client().PostAsJsonAsync("/users", new { email, password = IdentityApp.Password, name });

        await response.ShouldBeAsync(HttpStatusCode.Created);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString().ShouldBe(name);
        (await app.QuerySingleAsync<string>("SELECT name FROM users WHERE email = @email", new { email })).ShouldBe(name);

        var tokens = await app.LoginAsync(email);
        var me = await app.Client(tokens.AccessToken).GetFromJsonAsync<UserProfile>("/users/me");
        me!.Name.ShouldBe(name);
        me.Email.ShouldBe(email);
    }
}
