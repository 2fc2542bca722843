using System.Text.Json;

namespace Stampede.Identity.Tests;

public sealed class OpenApiTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    [Fact]
    public async Task Every_endpoint_is_described_with_a_summary_and_its_responses()
    {
        var document = JsonDocument.Parse(await app.Client().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");

        paths.EnumerateObject().Select(p => p.Name).ShouldBe([
            "/users", "/users/verification", "/users/verification/resend", "/users/me",
            "/tokens", "/tokens/refresh", "/tokens/revoke",
            "/users/me/addresses", "/users/me/addresses/{id}", "/users/me/addresses/{id}/default",
            "/.well-known/jwks.json",
            "/admin/users", "/admin/users/{id}", "/admin/signing-keys", "/admin/signing-keys/rotate",
            "/dev/mailbox",
        ], ignoreOrder: true);
        foreach (var path in paths.EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                operation.Value.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace($"{operation.Name} {path.Name}");
                operation.Value.GetProperty("responses").EnumerateObject().ShouldNotBeEmpty();
            }
        Responses("/users", "post").ShouldBe(["201", "400", "409", "429", "503"], ignoreOrder: true);
        Responses("/tokens", "post").ShouldBe(["200", "400", "401", "429"], ignoreOrder: true);
        Responses("/users/verification/resend", "post").ShouldBe(["202", "400", "429"], ignoreOrder: true);
        Responses("/admin/users", "get").ShouldContain("403");

        IEnumerable<string> Responses(string path, string method) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name);
    }

    [Fact]
    public async Task The_service_is_ready_when_postgres_and_rabbitmq_answer()
    {
        var response = await app.Client().GetAsync("/health/ready");

        await response.ShouldBeAsync(HttpStatusCode.OK);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        checks.GetProperty("postgres").GetProperty("status").GetString().ShouldBe("Healthy");
        checks.GetProperty("rabbitmq").GetProperty("status").GetString().ShouldBe("Healthy");
    }
}
