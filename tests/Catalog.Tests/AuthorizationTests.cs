using System.Net;
using Stampede.Catalog.Tests.Infrastructure;
using Stampede.Testing;

namespace Stampede.Catalog.Tests;

public sealed class AuthorizationTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    public static TheoryData<string, string> AdminEndpoints() => new()
    {
        { "POST", "/categories" },
        { "PUT", $"/categories/{Guid.NewGuid()}" },
        { "POST", "/products" },
        { "PUT", $"/products/{Guid.NewGuid()}" },
        { "POST", $"/products/{Guid.NewGuid()}/hide" },
        { "PUT", $"/products/{Guid.NewGuid()}/skus/{Guid.NewGuid()}" },
        { "POST", "/admin/demo-data" },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Admin_endpoints_answer_401_without_a_token(string method, string path)
    {
        var response = await app.Anonymous().SendAsync(Request(method, path));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Admin_endpoints_answer_403_to_a_customer(string method, string path)
    {
        var response = await app.Customer().SendAsync(Request(method, path));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Tokens_that_identity_did_not_issue_or_that_expired_are_refused()
    {
        var forged = await app.WithToken(TokenForge.SignedByStranger(Guid.NewGuid(), "admin")).SendAsync(Request("POST", "/products"));
        var expired = await app.WithToken(TokenForge.Expired(app.Keys.Credentials, Guid.NewGuid(), TimeSpan.FromMinutes(5), "admin"))
            .SendAsync(Request("POST", "/products"));
        var unsigned = await app.WithToken(TokenForge.Unsigned(Guid.NewGuid())).SendAsync(Request("POST", "/products"));

        forged.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        expired.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await expired.Content.ReadAsStringAsync()).ShouldContain("expired");
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/products")]
    [InlineData("/categories")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task Browsing_needs_no_token(string path) =>
        (await app.Anonymous().GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK);

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
}
