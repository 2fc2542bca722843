using System.Net.Http.Headers;
using System.Text;

namespace Stampede.Identity.Tests.Users;

/// <summary>Every kind of bad input gets a 4xx problem that names the problem, persists nothing,
/// and never a 500.</summary>
public sealed class BadInputTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private async Task<System.Text.Json.JsonElement> PostRawAsync(string path, string body, HttpStatusCode expected, string mediaType = "application/json")
    {
        var before = await app.CountUsersAsync();
        var response = await app.Client().PostAsync(path, new StringContent(body, Encoding.UTF8, mediaType));
        var problem = await response.ShouldBeProblemAsync(expected);
        (await app.CountUsersAsync()).ShouldBe(before);
        return problem;
    }

    [Theory]
    [InlineData("/users")]
    [InlineData("/tokens")]
    [InlineData("/tokens/refresh")]
    [InlineData("/tokens/revoke")]
    [InlineData("/users/verification")]
    [InlineData("/users/verification/resend")]
    public async Task Malformed_json_is_a_400_problem_saying_so(string path)
    {
        var problem = await PostRawAsync(path, "{\"email\": \"a@example.com\", ", HttpStatusCode.BadRequest);

        problem.GetProperty("detail").GetString()!.ShouldContain("JSON");
    }

    [Theory]
    [InlineData("/users", "{\"email\": 123, \"password\": \"a-Long-enough-Passphrase-1\", \"name\": \"N\"}", "email")]
    [InlineData("/users", "{\"email\": \"a@example.com\", \"password\": [\"x\"], \"name\": \"N\"}", "password")]
    [InlineData("/users", "{\"email\": \"a@example.com\", \"password\": \"a-Long-enough-Passphrase-1\", \"name\": {\"first\": \"N\"}}", "name")]
    [InlineData("/tokens", "{\"email\": true, \"password\": \"x\"}", "email")]
    [InlineData("/tokens/refresh", "{\"refreshToken\": 42}", "refreshToken")]
    [InlineData("/users/verification", "{\"email\": \"a@example.com\", \"code\": 123456}", "code")]
    public async Task Wrong_json_types_are_a_400_problem_naming_the_field(string path, string body, string field)
    {
        var problem = await PostRawAsync(path, body, HttpStatusCode.BadRequest);

        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString()!.ShouldContain(field);
    }

    [Fact]
    public async Task Missing_fields_are_each_named()
    {
        var problem = await PostRawAsync("/users", "{}", HttpStatusCode.BadRequest);

        problem.ErrorsFor("email").ShouldHaveSingleItem().ShouldContain("required");
        problem.ErrorsFor("password").ShouldHaveSingleItem().ShouldContain("required");
        problem.ErrorsFor("name").ShouldHaveSingleItem().ShouldContain("required");
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"just a string\"")]
    public async Task A_missing_or_non_object_body_is_a_400_problem(string body)
    {
        var problem = await PostRawAsync("/users", body, HttpStatusCode.BadRequest);

        problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        await PostRawAsync("/users", "email=a@example.com", HttpStatusCode.UnsupportedMediaType, "application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task An_oversized_name_is_refused_naming_the_field()
    {
        var problem = await PostRawAsync("/users",
            $"{{\"email\": \"big-{Guid.NewGuid():N}@example.com\", \"password\": \"{IdentityApp.Password}\", \"name\": \"{new string('n', 10_000)}\"}}",
            HttpStatusCode.BadRequest);

        problem.ErrorsFor("name").ShouldHaveSingleItem().ShouldContain("at most 100");
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_a_413_problem()
    {
        var problem = await PostRawAsync("/users",
            $"{{\"email\": \"huge@example.com\", \"password\": \"{IdentityApp.Password}\", \"name\": \"{new string('n', 1_100_000)}\"}}",
            HttpStatusCode.RequestEntityTooLarge);

        problem.GetProperty("title").GetString().ShouldBe("Content Too Large");
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\ud800")]
    [InlineData("\\u001b[31m")]
    public async Task Unstorable_and_control_characters_are_refused_not_a_500(string escaped)
    {
        var problem = await PostRawAsync("/users",
            $"{{\"email\": \"ctl-{Guid.NewGuid():N}@example.com\", \"password\": \"{IdentityApp.Password}\", \"name\": \"x{escaped}y\"}}",
            HttpStatusCode.BadRequest);

        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Unstorable_characters_in_query_strings_are_refused_not_a_500()
    {
        var admin = await app.AdminAsync();

        var response = await app.Client(admin.AccessToken).GetAsync("/admin/users?email=a%00b");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("email").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Wrong_query_parameter_types_are_a_400_problem()
    {
        var admin = await app.AdminAsync();

        var response = await app.Client(admin.AccessToken).GetAsync("/admin/users?limit=lots");

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("limit");
    }

    [Fact]
    public async Task An_address_with_wrong_types_and_bad_values_is_refused_and_not_stored()
    {
        var (_, tokens) = await app.CustomerAsync();
        var client = app.Client(tokens.AccessToken);

        var wrongType = await client.PostAsync("/users/me/addresses",
            new StringContent("{\"recipient\": \"R\", \"isDefault\": \"yes\"}", Encoding.UTF8, "application/json"));
        (await wrongType.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("field").GetString().ShouldBe("isDefault");

        var badValues = await client.PostAsJsonAsync("/users/me/addresses",
            new { recipient = "", phone = "call me", line1 = "1 Main St", city = "Seoul", postalCode = "04524; DROP", country = "XX" });
        var problem = await badValues.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.ErrorsFor("recipient").ShouldNotBeEmpty();
        problem.ErrorsFor("phone").ShouldNotBeEmpty();
        problem.ErrorsFor("postalCode").ShouldNotBeEmpty();
        problem.ErrorsFor("country").ShouldNotBeEmpty();
        (await app.QuerySingleAsync<long>("SELECT count(*) FROM addresses")).ShouldBe(0);
    }

    [Fact]
    public async Task A_non_guid_address_id_is_a_404_problem()
    {
        var (_, tokens) = await app.CustomerAsync();

        var response = await app.Client(tokens.AccessToken).DeleteAsync("/users/me/addresses/1;DROP");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_authorization_header_that_is_not_bearer_is_a_401_problem()
    {
        var client = app.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");

        var response = await client.GetAsync("/users/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }
}
