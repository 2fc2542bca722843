using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Dapper;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Catalog.Tests.Infrastructure;

/// <summary>One test class's catalog: the real service in-process on a fresh database, the shared
/// Redis, and its own queues and exchange on the shared broker (so parallel classes never consume
/// each other's events). Removed again on dispose.</summary>
public sealed class CatalogApp : IAsyncLifetime
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private WebApplicationFactory<CatalogService>? factory;

    public string ConnectionString { get; } = TestServers.NewDatabase("catalog");
    public string MessagingService { get; } = "catalog-t" + Guid.NewGuid().ToString("N")[..10];
    public string Exchange => MessagingService + ".events";
    public TestSigningKeys Keys { get; } = new();
    public Guid AdminId { get; } = Guid.NewGuid();
    public Guid CustomerId { get; } = Guid.NewGuid();
    public NpgsqlDataSource Database { get; private set; } = null!;
    public IServiceProvider Services => factory!.Services;

    public async ValueTask InitializeAsync()
    {
        factory = new WebApplicationFactory<CatalogService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
            builder.UseSetting("ConnectionStrings:Redis", TestServers.Redis);
            builder.UseSetting("ConnectionStrings:RabbitMQ", TestServers.RabbitMq);
            builder.UseSetting("Messaging:ServiceName", MessagingService);
            builder.UseSetting("Messaging:Exchange", Exchange);
            builder.UseSetting("Messaging:RetryDelays:0", RetryDelay.ToString());
            builder.UseSetting("Messaging:SweepInterval", "00:00:01");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<ISigningKeySource>(Keys)));
        });
        Database = NpgsqlDataSource.Create(ConnectionString);
        using var client = factory.CreateClient();
        // Ready = migrated, Redis answering, every subscription consuming.
        await Eventually.HoldsAsync(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, "catalog is ready",
            TimeSpan.FromSeconds(60));
    }

    public HttpClient Anonymous() => factory!.CreateClient();

    public HttpClient Admin() => WithToken(Keys.TokenFor(AdminId, Roles.Customer, Roles.Admin));

    public HttpClient Customer() => WithToken(Keys.TokenFor(CustomerId, Roles.Customer));

    public HttpClient WithToken(string token)
    {
        var client = factory!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Waits until catalog has handled every ProductChanged it published about the product
    /// (its own subscription invalidates the detail cache), so a test's next read is not raced by one.</summary>
    public Task WaitUntilProductEventsHandledAsync(Guid productId) =>
        Eventually.HoldsAsync(async () =>
        {
            await using var connection = await Database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<bool>("""
                SELECT NOT EXISTS (
                    SELECT 1 FROM messaging.outbox o
                    WHERE o.event_name = 'catalog.product-changed.v1' AND o.payload->>'productId' = @id
                      AND NOT EXISTS (SELECT 1 FROM messaging.inbox i WHERE i.message_id = o.event_id))
                """, new { id = productId.ToString() });
        }, $"catalog handled every ProductChanged of {productId}");

    public IDatabase Redis => Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (factory is not null) await factory.DisposeAsync();
        await Database.DisposeAsync();
        Keys.Dispose();
        await RemoveBrokerTopologyAsync();
        await TestServers.DropDatabaseAsync(ConnectionString);
    }

    private async Task RemoveBrokerTopologyAsync()
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var subscription in new[] { "inventory.stock-availability-changed.v1", "catalog.product-changed.v1" })
        {
            var queue = $"{MessagingService}.{subscription}";
            await channel.QueueDeleteAsync(queue);
            await channel.QueueDeleteAsync($"{queue}.retry.{(long)RetryDelay.TotalMilliseconds}ms");
        }
        await channel.QueueDeleteAsync($"{MessagingService}.dead-letters");
        await channel.ExchangeDeleteAsync($"{MessagingService}.dead-letters");
        await channel.ExchangeDeleteAsync(Exchange);
    }
}
