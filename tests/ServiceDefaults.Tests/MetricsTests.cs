using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Contracts.Identity;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.ServiceDefaults.Tests;

/// <summary>/metrics over real HTTP (the loopback rule needs a real connection), with messaging on the
/// test broker.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly TestSigningKeys keys = new();
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(builder =>
        {
            builder.Configuration["ConnectionStrings:RabbitMQ"] = TestServers.RabbitMq;
            builder.Configuration["Messaging:Exchange"] = $"stampede.metrics-test.{Guid.NewGuid():N}";
            builder.Services.AddSingleton<ISigningKeySource>(keys);
            builder.AddMessaging("metrics-test").Publishes<UserRegistered>(mayHaveNoSubscriber: true);
        }, kestrel: true);
        client = TestApp.KestrelClient(app);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
        keys.Dispose();
    }

    [Fact]
    public async Task A_local_scrape_finds_the_http_server_and_messaging_metrics()
    {
        (await client.GetAsync("/items/1?page=2")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await app.Services.GetRequiredService<IEventPublisher>()
            .PublishAsync(new UserRegistered(Guid.NewGuid(), "metrics@example.com", "Metrics"), TestContext.Current.CancellationToken);

        var text = await ScrapeAsync();

        text.ShouldContain("http_server_request_duration_seconds_count{");
        text.ShouldContain("http_route=\"/items/{id:int}\"");
        var published = text.Split('\n').SingleOrDefault(line => line.StartsWith("stampede_messaging_published_total{", StringComparison.Ordinal)
            && line.Contains("event=\"identity.user-registered.v1\"", StringComparison.Ordinal));
        published.ShouldNotBeNull(text);
        published.ShouldEndWith(" 1");
    }

    [Fact]
    public async Task A_forwarded_request_is_refused_unless_an_admin_sends_it()
    {
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var refused = await client.SendAsync(forwarded, TestContext.Current.CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldNotContain("http_server");

        using var customer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        customer.Headers.Add("X-Forwarded-For", "203.0.113.7");
        customer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.TokenFor(Guid.NewGuid(), Roles.Customer));
        (await client.SendAsync(customer, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var admin = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        admin.Headers.Add("X-Forwarded-For", "203.0.113.7");
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.TokenFor(Guid.NewGuid(), Roles.Admin));
        var allowed = await client.SendAsync(admin, TestContext.Current.CancellationToken);
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await allowed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("# TYPE");
    }

    /// <summary>The exporter caches a scrape for a moment and HTTP metrics land when a request ends:
    /// scrape until both metrics are there.</summary>
    private async Task<string> ScrapeAsync()
    {
        var text = "";
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (text.Contains("http_route=\"/items/{id:int}\"", StringComparison.Ordinal)
                && text.Contains("stampede_messaging_published_total{", StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        return text;
    }
}
