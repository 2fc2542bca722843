using Stampede.Identity.Users;

namespace Stampede.Identity.Tests.Users;

public sealed class UpdateMeTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task Patching_me_changes_the_display_name()
    {
        var (user, tokens) = await app.CustomerAsync();
        var client = app.Client(tokens.AccessToken);

        var response = await client.PatchAsJsonAsync("/users/me", new { name = "  Renamed  " });

        await response.ShouldBeAsync(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<UserProfile>())!.Name.ShouldBe("Renamed");
        (await client.GetFromJsonAsync<UserProfile>("/users/me"))!.Name.ShouldBe("Renamed");
        (await app.QuerySingleAsync<string>("SELECT email FROM users WHERE id = @id", new { id = user.Id })).ShouldBe(user.Email);
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public async Task An_invalid_name_is_refused_and_nothing_changes(string name)
    {
        var (user, tokens) = await app.CustomerAsync();

        var response = await app.Client(tokens.AccessToken).PatchAsJsonAsync("/users/me", new { name });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("name").ShouldHaveSingleItem();
        (await app.QuerySingleAsync<string>("SELECT name FROM users WHERE id = @id", new { id = user.Id })).ShouldBe(user.Name);
    }

    [Fact]
    public async Task An_oversized_name_is_refused()
    {
        var (_, tokens) = await app.CustomerAsync();

        var response = await app.Client(tokens.AccessToken).PatchAsJsonAsync("/users/me", new { name = new string('x', 10_000) });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("name").ShouldHaveSingleItem().ShouldContain("at most 100");
    }

    [Fact]
    public async Task Patching_me_needs_a_token()
    {
        await (await app.Client().PatchAsJsonAsync("/users/me", new { name = "Anonymous" })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }
}
