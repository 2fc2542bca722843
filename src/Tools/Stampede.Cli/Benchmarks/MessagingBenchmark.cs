using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using Stampede.Contracts;
using Stampede.Messaging;

namespace Stampede.Cli.Benchmarks;

/// <summary>What <c>./stampede bench messaging</c> measures, and on what.</summary>
public sealed record MessagingBenchmarkOptions
{
    /// <summary>PostgreSQL connection string without a database (a user that may create databases).</summary>
    public required string Postgres { get; init; }

    /// <summary>AMQP URI of the broker.</summary>
    public required string RabbitMq { get; init; }

    /// <summary>Events sent end to end, and messages/rows of each raw measurement.</summary>
    public int Events { get; init; } = 20_000;

    /// <summary>Concurrent producer transactions (requests in flight in the producing service), and
    /// concurrent writers of the raw insert measurement.</summary>
    public int Producers { get; init; } = 8;

    /// <summary>Messages the consuming service handles at once.</summary>
    public int ConsumerConcurrency { get; init; } = 8;

    /// <summary>Prefetch of the consuming service.</summary>
    public ushort Prefetch { get; init; } = 64;

    /// <summary>Publishes in flight (awaiting their confirm) in the raw publish measurement.</summary>
    public int PublishWindow { get; init; } = 256;
}

/// <summary>Rates measured in one run.</summary>
public sealed record MessagingBenchmarkResult(
    MessagingBenchmarkOptions Options,
    double EndToEndPerSecond,
    double ProducerCommitsPerSecond,
    double RawPublishPerSecond,
    double RawInsertPerSecond,
    int Duplicates,
    string PostgresDurability)
{
    /// <summary>The slower of the two raw rates.</summary>
    public double SlowerRawPerSecond => Math.Min(RawPublishPerSecond, RawInsertPerSecond);

    /// <summary>End to end divided by the raw publish rate.</summary>
    public double EndToEndToRawPublish => EndToEndPerSecond / RawPublishPerSecond;

    /// <summary>End to end divided by the raw insert rate.</summary>
    public double EndToEndToRawInsert => EndToEndPerSecond / RawInsertPerSecond;

    /// <summary>End to end divided by the slower raw rate; the aim is at least 1/3.</summary>
    public double EndToEndToSlowerRaw => EndToEndPerSecond / SlowerRawPerSecond;
}

/// <summary>The benchmark event: what an order placement would announce.</summary>
[EventName("bench.order-placed.v1")]
public sealed record BenchmarkOrderPlaced(Guid OrderId, Guid UserId, decimal Total, int Lines) : IntegrationEvent;

/// <summary>Measures, in one run on fresh databases and a private exchange: events/s end to end (a
/// producer service commits a business row with its outbox event → relay → broker → a consumer
/// service commits its effect with the inbox row), the raw RabbitMQ publish-with-confirms rate to a
/// quorum queue, and the raw PostgreSQL insert rate (one row per transaction).</summary>
public static class MessagingBenchmark
{
    public static async Task<MessagingBenchmarkResult> RunAsync(MessagingBenchmarkOptions options, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var run = $"bench-{Guid.NewGuid():N}"[..14];
        await using var producerDb = await BenchmarkDatabase.CreateAsync(options.Postgres, $"{run}_producer".Replace('-', '_'), cancellationToken);
        await using var consumerDb = await BenchmarkDatabase.CreateAsync(options.Postgres, $"{run}_consumer".Replace('-', '_'), cancellationToken);
        try
        {
            // Each raw rate is measured half before and half after the end-to-end run, so a machine
            // whose speed drifts during the run (other load, disk caches) skews all three alike.
            await PrepareRawAsync(producerDb.DataSource, options.RabbitMq, run, cancellationToken);
            var half = options with { Events = Math.Max(1, options.Events / 2) };
            progress?.Report($"raw PostgreSQL inserts ({half.Events:N0} rows, {options.Producers} writers)");
            var insertsBefore = await MeasureRawInsertsAsync(producerDb.DataSource, half, cancellationToken);
            progress?.Report($"raw RabbitMQ publishes with confirms ({half.Events:N0} messages, {options.PublishWindow} in flight)");
            var publishesBefore = await MeasureRawPublishesAsync(half, run, cancellationToken);

            progress?.Report($"end to end ({options.Events:N0} events, {options.Producers} producers, consumer concurrency {options.ConsumerConcurrency})");
            var (endToEnd, commits, duplicates) = await MeasureEndToEndAsync(producerDb.DataSource, consumerDb.DataSource, options, run, cancellationToken);

            progress?.Report($"raw PostgreSQL inserts again ({half.Events:N0} rows)");
            var insertsAfter = await MeasureRawInsertsAsync(producerDb.DataSource, half, cancellationToken);
            progress?.Report($"raw RabbitMQ publishes again ({half.Events:N0} messages)");
            var publishesAfter = await MeasureRawPublishesAsync(half, run, cancellationToken);

            return new MessagingBenchmarkResult(options, endToEnd, commits,
                RawPublishPerSecond: 2 * half.Events / (half.Events / publishesBefore + half.Events / publishesAfter),
                RawInsertPerSecond: 2 * half.Events / (half.Events / insertsBefore + half.Events / insertsAfter),
                duplicates,
                await DurabilityAsync(producerDb.DataSource, cancellationToken));
        }
        finally
        {
            await DeleteBrokerObjectsAsync(options.RabbitMq, run);
        }
    }

    /// <summary>Commits that wait for the disk cost far more than CPU work, so the ratios mean
    /// something different on a throw-away server; the result says which kind it ran on.</summary>
    private static async Task<string> DurabilityAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var fsync = await connection.ExecuteScalarAsync<string>("SHOW fsync");
        var synchronousCommit = await connection.ExecuteScalarAsync<string>("SHOW synchronous_commit");
        return $"fsync={fsync}, synchronous_commit={synchronousCommit}";
    }

    private static async Task PrepareRawAsync(NpgsqlDataSource dataSource, string rabbitMq, string run, CancellationToken cancellationToken)
    {
        await using (var create = dataSource.CreateCommand("CREATE TABLE raw_inserts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload json NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var factory = BrokerConnection.CreateFactory(new MessagingOptions { BrokerUri = rabbitMq });
        await using var connection = await factory.CreateConnectionAsync($"{run} raw", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // A quorum queue, like every subscription queue, so the raw rate pays the same replication and fsync.
        await channel.QueueDeclareAsync($"{run}.raw", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
    }

    private static async Task<double> MeasureRawInsertsAsync(NpgsqlDataSource dataSource, MessagingBenchmarkOptions options,
        CancellationToken cancellationToken)
    {
        var payload = SamplePayload();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Producers).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO raw_inserts (payload) VALUES (@payload::json)", connection);
            insert.Parameters.Add(new NpgsqlParameter<string>("payload", payload));
            while (Interlocked.Increment(ref next) < options.Events)
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }));
        return options.Events / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> MeasureRawPublishesAsync(MessagingBenchmarkOptions options, string run, CancellationToken cancellationToken)
    {
        var factory = BrokerConnection.CreateFactory(new MessagingOptions { BrokerUri = options.RabbitMq });
        await using var connection = await factory.CreateConnectionAsync($"{run} raw", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        var queue = $"{run}.raw";
        var body = System.Text.Encoding.UTF8.GetBytes(SamplePayload());
        using var window = new SemaphoreSlim(options.PublishWindow);
        var inFlight = new List<Task>(options.Events);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < options.Events; i++)
        {
            await window.WaitAsync(cancellationToken);
            var properties = EventEnvelope.Properties(Guid.CreateVersion7(), "bench.raw.v1", run, DateTimeOffset.UtcNow, null, null);
            inFlight.Add(PublishAsync(channel, queue, properties, body, window, cancellationToken));
        }

        await Task.WhenAll(inFlight);
        return options.Events / clock.Elapsed.TotalSeconds;

        static async Task PublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, SemaphoreSlim window,
            CancellationToken cancellationToken)
        {
            try
            {
                await channel.BasicPublishAsync("", queue, mandatory: false, properties, body, cancellationToken);
            }
            finally
            {
                window.Release();
            }
        }
    }

    private static async Task<(double EndToEnd, double Commits, int Duplicates)> MeasureEndToEndAsync(
        NpgsqlDataSource producerDb, NpgsqlDataSource consumerDb, MessagingBenchmarkOptions options, string run,
        CancellationToken cancellationToken)
    {
        await using (var create = producerDb.CreateCommand(
            "CREATE TABLE orders (id uuid PRIMARY KEY, user_id uuid NOT NULL, total numeric(12,2) NOT NULL, lines int NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = consumerDb.CreateCommand(
            "CREATE TABLE placed_orders (order_id uuid PRIMARY KEY, user_id uuid NOT NULL, total numeric(12,2) NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        using var consumed = new ConsumedCounter($"{run}-consumer");
        using var consumer = BuildHost(options, run, consumerDb, $"{run}-consumer",
            messaging => messaging.Handles<BenchmarkOrderPlaced, RecordPlacedOrder>());
        using var producer = BuildHost(options, run, producerDb, $"{run}-producer", messaging => messaging.Publishes<BenchmarkOrderPlaced>());
        await consumer.StartAsync(cancellationToken);
        await producer.StartAsync(cancellationToken);
        try
        {
            await WaitUntilConsumingAsync(consumer, cancellationToken);
            var outbox = producer.Services.GetRequiredService<IOutbox>();
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, options.Producers).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) < options.Events)
                {
                    await PlaceOrderAsync(producerDb, outbox, cancellationToken);
                }
            }));
            var committed = clock.Elapsed;
            await consumed.WaitForAsync(options.Events, TimeSpan.FromMinutes(5), cancellationToken);
            var endToEnd = clock.Elapsed;

            await using var count = consumerDb.CreateCommand("SELECT count(*) FROM placed_orders");
            var effects = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            if (effects != options.Events)
            {
                throw new InvalidOperationException($"The consumer recorded {effects} effects for {options.Events} events.");
            }

            return (options.Events / endToEnd.TotalSeconds, options.Events / committed.TotalSeconds, (int)consumed.Duplicates);
        }
        finally
        {
            await producer.StopAsync(CancellationToken.None);
            await consumer.StopAsync(CancellationToken.None);
        }
    }

    private static async Task PlaceOrderAsync(NpgsqlDataSource dataSource, IOutbox outbox, CancellationToken cancellationToken)
    {
        var placed = new BenchmarkOrderPlaced(Guid.CreateVersion7(), Guid.CreateVersion7(), 129.90m, 3);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO orders (id, user_id, total, lines) VALUES (@id, @user_id, @total, @lines)", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid>("id", placed.OrderId));
            insert.Parameters.Add(new NpgsqlParameter<Guid>("user_id", placed.UserId));
            insert.Parameters.Add(new NpgsqlParameter<decimal>("total", placed.Total));
            insert.Parameters.Add(new NpgsqlParameter<int>("lines", placed.Lines));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await outbox.EnqueueAsync(placed, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static IHost BuildHost(MessagingBenchmarkOptions options, string run, NpgsqlDataSource dataSource, string service,
        Action<MessagingBuilder> declare)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMQ"] = options.RabbitMq,
            ["Messaging:Exchange"] = $"{run}.events",
        });
        builder.Services.AddSingleton(dataSource);
        var messaging = builder.AddMessaging(service).Configure(messagingOptions =>
        {
            messagingOptions.ConsumerConcurrency = options.ConsumerConcurrency;
            messagingOptions.Prefetch = options.Prefetch;
        });
        declare(messaging);
        return builder.Build();
    }

    private static async Task WaitUntilConsumingAsync(IHost host, CancellationToken cancellationToken)
    {
        var health = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await health.CheckHealthAsync(check => check.Name == "rabbitmq", cancellationToken)).Status
            != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The benchmark consumer did not start consuming within 30 s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static string SamplePayload() =>
        JsonSerializer.Serialize(new BenchmarkOrderPlaced(Guid.CreateVersion7(), Guid.CreateVersion7(), 129.90m, 3), MessagingJson.Options);

    private static async Task DeleteBrokerObjectsAsync(string brokerUri, string run)
    {
        try
        {
            var factory = BrokerConnection.CreateFactory(new MessagingOptions { BrokerUri = brokerUri });
            await using var connection = await factory.CreateConnectionAsync($"{run} cleanup", CancellationToken.None);
            var subscription = $"{run}-consumer.bench.order-placed.v1";
            var queues = new[] { $"{run}.raw", subscription, Topology.DeadLetterQueue($"{run}-consumer") }
                .Concat(new MessagingOptions().RetryDelays.Select(delay => Topology.RetryQueue(subscription, delay)));
            foreach (var queue in queues)
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeleteAsync(queue);
            }

            await using var exchanges = await connection.CreateChannelAsync();
            await exchanges.ExchangeDeleteAsync($"{run}.events");
            await exchanges.ExchangeDeleteAsync(Topology.DeadLetterExchange($"{run}-consumer"));
        }
        catch (Exception)
        {
            // Cleanup is best effort; the names are unique to this run.
        }
    }

    private sealed class RecordPlacedOrder : IIntegrationEventHandler<BenchmarkOrderPlaced>
    {
        public async Task HandleAsync(BenchmarkOrderPlaced @event, MessageContext context, CancellationToken cancellationToken)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO placed_orders (order_id, user_id, total) VALUES (@order_id, @user_id, @total)", context.Connection, context.Transaction);
            insert.Parameters.Add(new NpgsqlParameter<Guid>("order_id", @event.OrderId));
            insert.Parameters.Add(new NpgsqlParameter<Guid>("user_id", @event.UserId));
            insert.Parameters.Add(new NpgsqlParameter<decimal>("total", @event.Total));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Counts the consumer's acknowledged handlings through its own metrics.</summary>
    private sealed class ConsumedCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long handled;
        private long duplicates;

        public ConsumedCounter(string service)
        {
            listener.InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument is { Name: "stampede.messaging.consumed", Meter.Name: MessagingTelemetry.Name })
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                bool ofService = false, duplicate = false;
                foreach (var tag in tags)
                {
                    ofService |= tag.Key == "service" && Equals(tag.Value, service);
                    duplicate |= tag.Key == "outcome" && Equals(tag.Value, "duplicate");
                }

                if (ofService)
                {
                    Interlocked.Add(ref duplicate ? ref duplicates : ref handled, value);
                }
            });
            listener.Start();
        }

        public long Duplicates => Interlocked.Read(ref duplicates);

        public async Task WaitForAsync(long count, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Interlocked.Read(ref handled) < count)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Only {Interlocked.Read(ref handled)} of {count} events were handled within {timeout}.");
                }

                await Task.Delay(5, cancellationToken);
            }
        }

        public void Dispose() => listener.Dispose();
    }

    private sealed class BenchmarkDatabase : IAsyncDisposable
    {
        private readonly string server;
        private readonly string name;

        private BenchmarkDatabase(string server, string name, NpgsqlDataSource dataSource)
        {
            this.server = server;
            this.name = name;
            DataSource = dataSource;
        }

        public NpgsqlDataSource DataSource { get; }

        public static async Task<BenchmarkDatabase> CreateAsync(string postgres, string name, CancellationToken cancellationToken)
        {
            var server = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString;
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync(cancellationToken);
                await connection.ExecuteAsync($"CREATE DATABASE \"{name}\"");
            }

            var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString);
            await MessagingSchema.EnsureSchemaAsync(dataSource, cancellationToken);
            return new BenchmarkDatabase(server, name, dataSource);
        }

        public async ValueTask DisposeAsync()
        {
            await DataSource.DisposeAsync();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await connection.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }
}
