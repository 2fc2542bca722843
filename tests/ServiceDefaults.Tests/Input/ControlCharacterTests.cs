using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Stampede.ServiceDefaults.Tests.Input;

public class ControlCharacterTests : IAsyncLifetime
{
    public record Line(string Sku, string? Note);

    public record Note(string Title, string? Body, List<Line> Lines, Dictionary<string, string>? Tags);

    private WebApplication app = null!;
    private HttpClient client = null!;
    private int reached;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(map: app =>
        {
            app.MapGet("/search/{term}", (string term, string? q) =>
            {
                Interlocked.Increment(ref reached);
                return TypedResults.Ok(new { term, q });
            });
            app.MapPost("/notes", (Note note) =>
            {
                Interlocked.Increment(ref reached);
                return TypedResults.Ok(note);
            });
        });
        client = app.GetTestClient();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static async Task<JsonElement> ShouldBeProblemNaming(HttpResponseMessage response, string field)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([field]);
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldContain("control character");
        return problem;
    }

    private Task<HttpResponseMessage> PostNote(string json) =>
        client.PostAsync("/notes", new StringContent(json, Encoding.UTF8, "application/json"));

    [Theory]
    [InlineData("%00")]
    [InlineData("a%01b")]
    [InlineData("%1F")]
    [InlineData("%7F")]
    [InlineData("line%0Abreak")]
    [InlineData("tab%09")]
    public async Task A_control_character_in_a_query_value_is_a_400_naming_the_parameter(string q)
    {
        await ShouldBeProblemNaming(await client.GetAsync($"/search/shoes?q={q}"), "q");
        reached.ShouldBe(0);
    }

    // %00 in the path never gets this far: the server refuses the request line itself.
    [Fact]
    public async Task A_control_character_in_a_route_value_is_a_400_naming_it()
    {
        await ShouldBeProblemNaming(await client.GetAsync("/search/sh%01oes"), "term");
        reached.ShouldBe(0);
    }

    [Fact]
    public async Task A_control_character_in_a_query_name_is_a_400_naming_the_query()
    {
        await ShouldBeProblemNaming(await client.GetAsync("/search/shoes?x%00=1"), "query");
    }

    [Fact]
    public async Task Ordinary_text_with_accents_and_symbols_passes()
    {
        var response = await client.GetAsync("/search/caf%C3%A9?q=%E2%82%AC%2010%20%26%20more");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("q").GetString().ShouldBe("€ 10 & more");
    }

    [Theory]
    [InlineData("""{"title":"a\u0000b","lines":[]}""", "title")]
    [InlineData("""{"title":"ok","body":"\u001b[31mred","lines":[]}""", "body")]
    [InlineData("""{"title":"ok","lines":[{"sku":"A","note":"x"},{"sku":"B\u007f","note":null}]}""", "lines[1].sku")]
    [InlineData("""{"title":"ok","lines":[],"tags":{"colour":"re\u0000d"}}""", "tags.colour")]
    public async Task A_control_character_in_a_JSON_string_is_a_400_naming_the_field(string json, string field)
    {
        await ShouldBeProblemNaming(await PostNote(json), field);
        reached.ShouldBe(0);
    }

    [Fact]
    public async Task A_raw_control_character_in_JSON_is_still_a_400()
    {
        var response = await PostNote("{\"title\":\"a\u0001b\",\"lines\":[]}");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reached.ShouldBe(0);
    }

    [Fact]
    public async Task Tab_CR_and_LF_are_allowed_in_JSON_strings()
    {
        var response = await PostNote("""{"title":"ok","body":"first line\r\n\tsecond line\n","lines":[{"sku":"A","note":null}],"tags":{"k":"v"}}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("body").GetString().ShouldBe("first line\r\n\tsecond line\n");
    }

    [Fact]
    public async Task Other_bad_bodies_keep_their_own_problem()
    {
        var response = await PostNote("""{"title":"ok","lines":5}""");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("JSON");
        problem.TryGetProperty("errors", out _).ShouldBeFalse();
    }
}
