using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Consumes one subscription queue. Each message is handled in a transaction that also
/// records its id in the inbox, and acknowledged only after that transaction commits. When several
/// messages wait, a worker handles up to <see cref="MessagingOptions.HandlerBatchSize"/> of them in one
/// transaction, each in its own savepoint. A failure goes to the retry queue of the next delay (so the
/// subscription keeps flowing), and after the last retry to the service's dead letters with the
/// exception text; an unreadable message goes there at once.</summary>
internal sealed class SubscriptionConsumer(
    Subscription subscription,
    MessagingOptions options,
    IServiceProvider services,
    NpgsqlDataSource dataSource,
    IOutbox outbox,
    ConfirmedPublisher publisher,
    MessagingTelemetry telemetry,
    ILogger logger)
{
    private const string InboxSql = """
        INSERT INTO messaging.inbox (subscription, message_id, event_name) VALUES (@subscription, @message_id, @event_name)
        ON CONFLICT DO NOTHING
        """;

    private readonly Channel<Delivery> received = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });
    private IChannel? channel;
    private AsyncEventingBasicConsumer? consumer;
    private Task[] workers = [];

    /// <summary>False once the channel closed or the broker cancelled the consumer (its queue was deleted).</summary>
    public bool IsConsuming => channel is { IsOpen: true } && consumer is { IsRunning: true };

    public async Task StartAsync(IConnection connection, CancellationToken stoppingToken)
    {
        var opened = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        try
        {
            await Topology.DeclareEventsExchangeAsync(opened, options.Exchange, stoppingToken);
            await Topology.DeclareDeadLettersAsync(opened, options.ServiceName, stoppingToken);
            await Topology.DeclareSubscriptionAsync(opened, options, subscription, stoppingToken);
            await opened.BasicQosAsync(0, options.Prefetch, global: false, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(opened);
            this.consumer = consumer;
            // The body is only valid during this callback, hence the copy; prefetch bounds the backlog.
            consumer.ReceivedAsync += (_, delivery) =>
            {
                received.Writer.TryWrite(new Delivery(delivery.DeliveryTag, delivery.BasicProperties, delivery.Body.ToArray()));
                return Task.CompletedTask;
            };
            workers = [.. Enumerable.Range(0, Math.Max(1, options.ConsumerConcurrency)).Select(_ => Task.Run(() => WorkAsync(opened, stoppingToken)))];
            await opened.BasicConsumeAsync(subscription.Queue, autoAck: false, consumer, stoppingToken);
            channel = opened;
        }
        catch
        {
            received.Writer.TryComplete();
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>Call after the stopping token was cancelled: messages not yet acknowledged return
    /// to the queue when the channel closes.</summary>
    public async Task StopAsync()
    {
        received.Writer.TryComplete();
        await Task.WhenAll(workers);
        if (channel is { } open)
        {
            channel = null;
            try
            {
                await open.CloseAsync();
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Closing the channel of {Queue} failed", subscription.Queue);
            }

            await open.DisposeAsync();
        }
    }

    private async Task WorkAsync(IChannel from, CancellationToken stoppingToken)
    {
        try
        {
            var batch = new List<Delivery>(Math.Clamp(options.HandlerBatchSize, 1, 64));
            while (await received.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < Math.Clamp(options.HandlerBatchSize, 1, 64) && received.Reader.TryRead(out var delivery))
                {
                    batch.Add(delivery);
                }

                try
                {
                    await ProcessAsync(from, batch, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Not expected (every step settles its own failures), but a worker must not die
                    // holding unacknowledged messages: hand them back and go on.
                    logger.LogError(ex, "Handling a batch of {Queue} failed unexpectedly; requeueing it", subscription.Queue);
                    foreach (var delivery in batch)
                    {
                        await RequeueAsync(from, delivery);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is not acknowledged goes back to the queue.
        }
    }

    private async Task ProcessAsync(IChannel from, List<Delivery> batch, CancellationToken stoppingToken)
    {
        var handlings = new List<Handling>(batch.Count);
        foreach (var delivery in batch)
        {
            if (Read(delivery) is ({ } messageId, { } @event))
            {
                handlings.Add(new Handling(delivery, messageId, @event, MessageHeaders.ReadInt(delivery.Properties.Headers, MessageHeaders.Attempt)));
            }
            else
            {
                await SettleAsync(from, delivery, () => DeadLetterAsync(delivery, "poison", PoisonReason(delivery), stoppingToken), null,
                    stoppingToken);
            }
        }

        if (handlings.Count == 0)
        {
            return;
        }

        try
        {
            await HandleInOneTransactionAsync(handlings, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Nothing was committed (or the commit's outcome is unknown; a redelivery then finds the inbox row).
            foreach (var handling in handlings)
            {
                handling.Error ??= ex;
            }
        }

        foreach (var handling in handlings)
        {
            if (handling.Error is { } error)
            {
                await SettleAsync(from, handling.Delivery, () => RetryOrDeadLetterAsync(handling, error, stoppingToken), null, stoppingToken);
            }
            else
            {
                await SettleAsync(from, handling.Delivery, () => Task.CompletedTask,
                    () => telemetry.Consumed(subscription.EventName, handling.Duplicate), stoppingToken);
            }
        }
    }

    private async Task HandleInOneTransactionAsync(List<Handling> handlings, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var isolate = handlings.Count > 1;
        for (var i = 0; i < handlings.Count; i++)
        {
            var handling = handlings[i];
            // Savepoints are left open rather than released (COMMIT keeps their work), which saves a
            // round trip per message; the batch size keeps them under PostgreSQL's 64 cached subtransactions.
            var savepoint = isolate ? $"message_{i}" : null;
            try
            {
                handling.Duplicate = !await RecordInInboxAsync(connection, transaction, handling, savepoint, cancellationToken);
                if (!handling.Duplicate)
                {
                    await InvokeHandlerAsync(connection, transaction, handling, cancellationToken);
                }
            }
            catch (Exception ex) when (savepoint is not null && !cancellationToken.IsCancellationRequested)
            {
                await transaction.RollbackAsync(savepoint, cancellationToken);
                handling.Error = ex;
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>False when the inbox already holds the message: it was handled before. Opens
    /// <paramref name="savepoint"/> first, in the same round trip, when one is given.</summary>
    private async Task<bool> RecordInInboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Handling handling,
        string? savepoint, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (savepoint is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SAVEPOINT {savepoint}"));
        }

        var inbox = new NpgsqlBatchCommand(InboxSql);
        inbox.Parameters.Add(new NpgsqlParameter<string>("subscription", subscription.Queue));
        inbox.Parameters.Add(new NpgsqlParameter<Guid>("message_id", handling.MessageId));
        inbox.Parameters.Add(new NpgsqlParameter<string>("event_name", subscription.EventName));
        batch.BatchCommands.Add(inbox);
        // A concurrent delivery of the same id waits here on the key until the first one commits.
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return inbox.RecordsAffected == 1;
    }

    private async Task InvokeHandlerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Handling handling,
        CancellationToken cancellationToken)
    {
        var headers = handling.Delivery.Properties.Headers;
        ActivityContext.TryParse(MessageHeaders.ReadString(headers, MessagingTelemetry.TraceParentHeader),
            MessageHeaders.ReadString(headers, MessagingTelemetry.TraceStateHeader), out var parent);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{subscription.EventName} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", subscription.Queue);
        activity?.SetTag("messaging.message.id", handling.MessageId.ToString());
        try
        {
            await using var scope = services.CreateAsyncScope();
            var context = new MessageContext(outbox, connection, transaction, handling.MessageId, subscription.EventName, subscription.Queue,
                handling.Attempt);
            await subscription.Invoke(scope.ServiceProvider, handling.Event, context, cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    /// <summary>Runs what settles a delivery, acknowledges it, then reports it; if settling or the
    /// acknowledgement fails the message stays queued, so the broker delivers it again.</summary>
    private async Task SettleAsync(IChannel from, Delivery delivery, Func<Task> settle, Action? acknowledged, CancellationToken stoppingToken)
    {
        try
        {
            await settle();
            await from.BasicAckAsync(delivery.Tag, multiple: false, stoppingToken);
            acknowledged?.Invoke();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning("Message {MessageId} of {Queue} stays queued: {Error}", delivery.Properties.MessageId, subscription.Queue, ex.Message);
            await RequeueAsync(from, delivery);
        }
    }

    private async Task RequeueAsync(IChannel from, Delivery delivery)
    {
        if (!from.IsOpen)
        {
            return; // the broker requeues everything unacknowledged when a channel closes
        }

        try
        {
            await from.BasicNackAsync(delivery.Tag, multiple: false, requeue: true, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Requeue on {Queue} failed; the broker requeues on channel close", subscription.Queue);
        }
    }

    private async Task RetryOrDeadLetterAsync(Handling handling, Exception error, CancellationToken cancellationToken)
    {
        var delays = options.RetryDelays;
        var delivery = handling.Delivery;
        if (handling.Attempt >= delays.Length)
        {
            logger.LogError(error, "Message {MessageId} of {Queue} failed {Attempts} times; dead-lettered",
                handling.MessageId, subscription.Queue, handling.Attempt + 1);
            await DeadLetterAsync(delivery, "failed", error.ToString(), cancellationToken);
            return;
        }

        logger.LogWarning("Message {MessageId} of {Queue} failed (attempt {Attempt}); retrying in {Delay}: {Error}",
            handling.MessageId, subscription.Queue, handling.Attempt + 1, delays[handling.Attempt], error.Message);
        var properties = EventEnvelope.CopyForResend(delivery.Properties, headers => headers[MessageHeaders.Attempt] = handling.Attempt + 1);
        await publisher.PublishAsync("", Topology.RetryQueue(subscription.Queue, delays[handling.Attempt]), properties, delivery.Body,
            cancellationToken);
        telemetry.Retried(subscription.EventName);
    }

    private async Task DeadLetterAsync(Delivery delivery, string reason, string error, CancellationToken cancellationToken)
    {
        var properties = EventEnvelope.CopyForResend(delivery.Properties, headers =>
        {
            headers[MessageHeaders.Queue] = subscription.Queue;
            headers[MessageHeaders.Reason] = reason;
            headers[MessageHeaders.Error] = error.Length > 4000 ? error[..4000] : error;
            headers[MessageHeaders.FailedAt] = DateTimeOffset.UtcNow.ToString("O");
        });
        await publisher.PublishAsync(Topology.DeadLetterExchange(options.ServiceName), subscription.Queue, properties, delivery.Body,
            cancellationToken);
        telemetry.DeadLettered(subscription.EventName, reason);
    }

    private (Guid? MessageId, IntegrationEvent? Event) Read(Delivery delivery)
    {
        var properties = delivery.Properties;
        if (!Guid.TryParse(properties.MessageId, out var messageId)
            || (properties.Type is { } type && type != subscription.EventName))
        {
            return (null, null);
        }

        try
        {
            return (messageId, JsonSerializer.Deserialize(delivery.Body, subscription.EventType, MessagingJson.Options) as IntegrationEvent);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return (messageId, null);
        }
    }

    private string PoisonReason(Delivery delivery)
    {
        var properties = delivery.Properties;
        if (!Guid.TryParse(properties.MessageId, out _))
        {
            return $"poison: message id '{properties.MessageId}' is not a GUID";
        }

        if (properties.Type is { } type && type != subscription.EventName)
        {
            return $"poison: type '{type}' arrived on a subscription to '{subscription.EventName}'";
        }

        try
        {
            JsonSerializer.Deserialize(delivery.Body, subscription.EventType, MessagingJson.Options);
            return $"poison: the body is not a {subscription.EventType.Name}";
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return $"poison: the body is not a {subscription.EventType.Name}: {ex.Message}";
        }
    }

    private sealed record Delivery(ulong Tag, IReadOnlyBasicProperties Properties, byte[] Body);

    private sealed class Handling(Delivery delivery, Guid messageId, IntegrationEvent @event, int attempt)
    {
        public Delivery Delivery { get; } = delivery;

        public Guid MessageId { get; } = messageId;

        public IntegrationEvent Event { get; } = @event;

        public int Attempt { get; } = attempt;

        public bool Duplicate { get; set; }

        public Exception? Error { get; set; }
    }
}
