using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;

namespace Stampede.Messaging.Tests.Infrastructure;

/// <summary>One test's world: a fresh database, a unique service name and a unique events exchange
/// on the broker, and hosts of that service built on them. Everything is removed on dispose.</summary>
public sealed class MessagingScenario : IAsyncDisposable
{
    private readonly List<IHost> hosts = [];

    private MessagingScenario(TestDatabase database, string brokerUri)
    {
        Database = database;
        BrokerUri = brokerUri;
    }

    public TestDatabase Database { get; }

    public string BrokerUri { get; }

    public string Service { get; } = "t-" + Guid.NewGuid().ToString("N")[..10];

    public string Exchange => $"{Service}.events";

    public string Queue => $"{Service}.tests.thing-happened.v1";

    public HandlerScript Script { get; } = new();

    public TimeSpan[] RetryDelays { get; set; } = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)];

    public TimeSpan[] TransientRetryDelays { get; set; } = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)];

    public static async Task<MessagingScenario> CreateAsync(string? brokerUri = null)
    {
        var database = await TestDatabase.CreateAsync("msg");
        await MessagingSchema.EnsureSchemaAsync(database.DataSource, CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, number int NOT NULL);
            CREATE TABLE effects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, number int NOT NULL,
                                  attempt int NOT NULL, trace_id text);
            """);
        return new MessagingScenario(database, brokerUri ?? TestServers.RabbitMq);
    }

    /// <summary>A host (an instance) of the scenario's service that, unless told otherwise, publishes
    /// ThingHappened (so it runs a relay) and handles it with <see cref="RecordThing"/>. Not started.</summary>
    public IHost BuildHost(bool handles = true, Action<MessagingBuilder>? configure = null, bool publishes = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMQ"] = BrokerUri,
            ["Messaging:Exchange"] = Exchange,
        });
        builder.Services.AddSingleton(Database.DataSource);
        builder.Services.AddSingleton(Script);
        var messaging = builder.AddMessaging(Service)
            .Configure(options =>
            {
                options.RetryDelays = RetryDelays;
                options.TransientRetryDelays = TransientRetryDelays;
                options.SweepInterval = TimeSpan.FromSeconds(1);
                options.ReconnectInterval = TimeSpan.FromMilliseconds(500);
            });
        if (publishes)
        {
            messaging.Publishes<ThingHappened>();
        }

        if (handles)
        {
            messaging.Handles<ThingHappened, RecordThing>();
        }

        configure?.Invoke(messaging);
        var host = builder.Build();
        hosts.Add(host);
        return host;
    }

    public async Task<IHost> StartHostAsync(bool handles = true, Action<MessagingBuilder>? configure = null, bool publishes = true)
    {
        var host = BuildHost(handles, configure, publishes);
        await host.StartAsync(TestContext.Current.CancellationToken);
        if (handles)
        {
            await WaitUntilConsumingAsync(host);
        }

        return host;
    }

    public static Task WaitUntilConsumingAsync(IHost host) =>
        Eventually.HoldsAsync(
            async () => (await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>()
                .CheckHealthAsync(r => r.Name == "rabbitmq")).Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
            TimeSpan.FromSeconds(30), "the subscriptions are consuming");

    /// <summary>Commits one business change (a row in <c>things</c>) with its event through the outbox of <paramref name="host"/>.</summary>
    public async Task<ThingHappened> CommitThingAsync(IHost host, int number)
    {
        var outbox = host.Services.GetRequiredService<IOutbox>();
        var thing = new ThingHappened(number);
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("INSERT INTO things (number) VALUES (@number)", new { number }, transaction);
        await outbox.EnqueueAsync(thing, transaction, CancellationToken.None);
        await transaction.CommitAsync();
        return thing;
    }

    public async Task<long> EffectsAsync()
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM effects");
    }

    public async Task<long> EffectsOfAsync(Guid eventId)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM effects WHERE event_id = @eventId", new { eventId });
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    public Task WaitForEffectsAsync(long count, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(async () => await EffectsAsync() >= count, timeout ?? TimeSpan.FromSeconds(60), $"{count} effects recorded");

    /// <summary>Publishes raw bytes to the scenario's exchange as if a producer had sent them.</summary>
    public async Task PublishRawAsync(string messageId, string body, string type = "tests.thing-happened.v1")
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(BrokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var properties = new BasicProperties { MessageId = messageId, Type = type, DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(Exchange, type, mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes(body));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
                // A host a test already stopped, or one whose broker is gone.
            }

            host.Dispose();
        }

        await DeleteBrokerObjectsAsync();
        await Database.DisposeAsync();
    }

    private async Task DeleteBrokerObjectsAsync()
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(BrokerUri) }.CreateConnectionAsync();
            foreach (var queue in new[] { Queue, $"{Service}.tests.thing-noted.v1", Topology.DeadLetterQueue(Service) }
                .Concat(new[] { Queue, $"{Service}.tests.thing-noted.v1" }.SelectMany(q => Topology.RetryQueueDelays(
                    new MessagingOptions { RetryDelays = RetryDelays, TransientRetryDelays = TransientRetryDelays }).Select(d => Topology.RetryQueue(q, d)))))
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeleteAsync(queue);
            }

            await using var exchanges = await connection.CreateChannelAsync();
            await exchanges.ExchangeDeleteAsync(Exchange);
            await exchanges.ExchangeDeleteAsync(Topology.DeadLetterExchange(Service));
        }
        catch (Exception)
        {
            // Best effort: a private broker may already be gone.
        }
    }
}
