using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace Stampede.ServiceDefaults.Tests;

public class ProblemDetailsTests : IAsyncLifetime
{
    private Microsoft.AspNetCore.Builder.WebApplication app = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        client = app.GetTestClient();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private Task<HttpResponseMessage> PostJson(string json) =>
        client.PostAsync("/orders", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_saying_so()
    {
        var response = await PostJson("{\"sku\": \"A\", ");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Problem(response);
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("detail").GetString()!.ShouldContain("JSON");
    }

    [Fact]
    public async Task A_wrong_json_type_names_the_field()
    {
        var response = await PostJson("{\"sku\": \"A\", \"quantity\": \"many\"}");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Problem(response);
        problem.GetProperty("field").GetString().ShouldBe("quantity");
        problem.GetProperty("detail").GetString()!.ShouldContain("$.quantity");
    }

    [Fact]
    public async Task A_missing_body_is_a_400_problem()
    {
        var response = await client.PostAsync("/orders", new StringContent("", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("detail").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        await using var kestrelApp = await TestApp.StartAsync(kestrel: true);
        using var http = TestApp.KestrelClient(kestrelApp);
        var response = await http.PostAsync("/orders", new StringContent("{\"sku\": \"" + new string('x', 10_000) + "\", \"quantity\": 1}", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await Problem(response)).GetProperty("status").GetInt32().ShouldBe(413);
    }

    [Fact]
    public async Task A_bad_query_value_names_the_parameter()
    {
        var response = await client.GetAsync("/items/5?page=abc");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Problem(response)).GetProperty("detail").GetString()!.ShouldContain("page");
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_without_internals()
    {
        var response = await client.GetAsync("/boom");
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("SELECT");
        body.ShouldNotContain("InvalidOperationException");
        body.ShouldNotContain(" at ");
        (await Problem(response)).GetProperty("requestId").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem()
    {
        var response = await client.GetAsync("/nowhere");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Problem(response)).GetProperty("status").GetInt32().ShouldBe(404);
    }

    [Fact]
    public async Task The_request_id_is_echoed_or_made()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Request-Id", "abc-123");
        (await client.SendAsync(request)).Headers.GetValues("X-Request-Id").Single().ShouldBe("abc-123");

        var unsafeId = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        unsafeId.Headers.TryAddWithoutValidation("X-Request-Id", "<script>alert(1)</script>");
        var made = (await client.SendAsync(unsafeId)).Headers.GetValues("X-Request-Id").Single();
        made.ShouldNotContain("<");
        made.Length.ShouldBe(32);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        document.GetProperty("paths").TryGetProperty("/orders", out _).ShouldBeTrue();
    }
}
