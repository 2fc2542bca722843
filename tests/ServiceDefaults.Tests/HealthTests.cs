using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Stampede.ServiceDefaults.Persistence;
using Stampede.Testing;

namespace Stampede.ServiceDefaults.Tests;

public class HealthTests
{
    [Fact]
    public async Task Ready_reports_each_store_when_they_answer()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Configuration["ConnectionStrings:Postgres"] = TestServers.NewDatabase("defaults");
            builder.Configuration["ConnectionStrings:Redis"] = TestServers.Redis;
            builder.AddPostgres(typeof(HealthTests).Assembly);
            builder.AddRedis();
        });
        var response = await app.GetTestClient().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Ready_is_503_naming_the_store_that_is_down_while_live_stays_200()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Configuration["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200";
            builder.AddRedis();
        });
        var client = app.GetTestClient();
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString().ShouldBe("Unhealthy");
    }
}
