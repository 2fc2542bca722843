using System.Text;
using Dapper;
using Npgsql;
using RabbitMQ.Client;

namespace Stampede.Messaging;

/// <summary>One dead letter as the tools show it.</summary>
public sealed record DeadLetter(
    string? MessageId,
    string? EventName,
    string Queue,
    string? Reason,
    string? Error,
    DateTimeOffset? FailedAt,
    string Body);

/// <summary>Reads, replays and purges a consuming service's dead letters
/// (<c>{service}.dead-letters</c>). Used by <c>./stampede dead-letters</c>.</summary>
public sealed class DeadLetterQueue : IAsyncDisposable
{
    private readonly IConnection connection;

    private DeadLetterQueue(IConnection connection) => this.connection = connection;

    /// <summary>Connects to the broker at <paramref name="brokerUri"/> (amqp URI).</summary>
    public static async Task<DeadLetterQueue> ConnectAsync(string brokerUri, CancellationToken cancellationToken)
    {
        var factory = BrokerConnection.CreateFactory(new MessagingOptions { BrokerUri = brokerUri });
        factory.AutomaticRecoveryEnabled = false;
        return new DeadLetterQueue(await factory.CreateConnectionAsync("stampede dead-letters", cancellationToken));
    }

    /// <summary>The services that consume events, as recorded in every database on the PostgreSQL
    /// server of <paramref name="postgres"/> (a connection string without a database).</summary>
    public static async Task<IReadOnlyList<string>> FindServicesAsync(string postgres, CancellationToken cancellationToken)
    {
        var server = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false };
        List<string> databases;
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            databases = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
                cancellationToken: cancellationToken))).AsList();
        }

        var services = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var database in databases)
        {
            server.Database = database;
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT to_regclass('messaging.subscriptions') IS NOT NULL", cancellationToken: cancellationToken)))
                {
                    services.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                        "SELECT DISTINCT service FROM messaging.subscriptions", cancellationToken: cancellationToken)));
                }
            }
            catch (NpgsqlException)
            {
                // A database we may not enter holds no services of ours.
            }
        }

        return [.. services];
    }

    /// <summary>Number of dead letters of <paramref name="service"/>; 0 when it has no dead-letter queue.</summary>
    public async Task<uint> CountAsync(string service, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(Topology.DeadLetterQueue(service), cancellationToken)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>Up to <paramref name="limit"/> dead letters, oldest first, left in the queue.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string service, int limit, CancellationToken cancellationToken)
    {
        var before = await CountAsync(service, cancellationToken);
        var letters = new List<DeadLetter>();
        if (before == 0)
        {
            return letters;
        }

        // Read without acknowledging: the same channel is not handed a message twice, and every
        // message goes back to the queue when the channel closes.
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            while (letters.Count < limit
                && await channel.BasicGetAsync(Topology.DeadLetterQueue(service), autoAck: false, cancellationToken) is { } message)
            {
                letters.Add(Describe(message));
            }

            await channel.CloseAsync(cancellationToken);
        }

        // The broker puts them back asynchronously; wait, so a replay or purge right after sees them.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await CountAsync(service, cancellationToken) < before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        return letters;
    }

    /// <summary>Sends every dead letter of <paramref name="service"/> back to the subscription queue it
    /// failed in, with its retry count reset. Its message id is unchanged, so one already handled
    /// meanwhile is absorbed by the inbox. Returns the number replayed.</summary>
    public async Task<int> ReplayAsync(string service, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(service, cancellationToken))
        {
            return 0;
        }

        await using var reader = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await using var writer = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var replayed = new HashSet<string?>();
        while (await reader.BasicGetAsync(Topology.DeadLetterQueue(service), autoAck: false, cancellationToken) is { } message)
        {
            // A letter that failed again during this replay is back already: leave it for the next one.
            if (!replayed.Add(message.BasicProperties.MessageId ?? message.DeliveryTag.ToString()))
            {
                await reader.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, cancellationToken);
                break;
            }

            var queue = MessageHeaders.ReadString(message.BasicProperties.Headers, MessageHeaders.Queue) ?? message.RoutingKey;
            var properties = EventEnvelope.CopyForResend(message.BasicProperties, headers =>
            {
                headers.Remove(MessageHeaders.Attempt);
                headers.Remove(MessageHeaders.Queue);
                headers.Remove(MessageHeaders.Reason);
                headers.Remove(MessageHeaders.Error);
                headers.Remove(MessageHeaders.FailedAt);
            });
            await writer.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken);
            await reader.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
        }

        return replayed.Count;
    }

    /// <summary>Deletes every dead letter of <paramref name="service"/>; returns how many.</summary>
    public async Task<uint> PurgeAsync(string service, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(service, cancellationToken))
        {
            return 0;
        }

        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await channel.QueuePurgeAsync(Topology.DeadLetterQueue(service), cancellationToken);
    }

    private async Task<bool> ExistsAsync(string service, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel, hence a channel of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(Topology.DeadLetterQueue(service), cancellationToken);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    private static DeadLetter Describe(BasicGetResult message)
    {
        var headers = message.BasicProperties.Headers;
        var failedAt = MessageHeaders.ReadString(headers, MessageHeaders.FailedAt);
        return new DeadLetter(
            message.BasicProperties.MessageId,
            message.BasicProperties.Type,
            MessageHeaders.ReadString(headers, MessageHeaders.Queue) ?? message.RoutingKey,
            MessageHeaders.ReadString(headers, MessageHeaders.Reason) ?? (headers?.ContainsKey("x-death") == true ? "delivery-limit" : null),
            MessageHeaders.ReadString(headers, MessageHeaders.Error),
            DateTimeOffset.TryParse(failedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null,
            Encoding.UTF8.GetString(message.Body.Span));
    }

    public async ValueTask DisposeAsync()
    {
        await connection.CloseAsync();
        await connection.DisposeAsync();
    }
}
