using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Stampede.Messaging;

/// <summary>Consumes one subscription queue: workers take what the broker pushed, up to
/// <see cref="MessagingOptions.HandlerBatchSize"/> at a time, run it through the <see cref="InboxTransaction"/>
/// and acknowledge each message only after that transaction commits, or after
/// <see cref="RetryOrDeadLetter"/> has moved a failed or unreadable one on.</summary>
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
    private readonly InboxTransaction inbox = new(subscription, services, dataSource, outbox);
    private readonly RetryOrDeadLetter failures = new(subscription, options, publisher, telemetry, logger);
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
            if (DeliveryReader.Read(subscription, delivery) is ({ } messageId, { } @event))
            {
                handlings.Add(new Handling(delivery, messageId, @event));
            }
            else
            {
                await SettleAsync(from, delivery, () => failures.DeadLetterAsync(delivery, "poison", DeliveryReader.PoisonReason(subscription, delivery), stoppingToken), null,
                    stoppingToken);
            }
        }

        if (handlings.Count == 0)
        {
            return;
        }

        try
        {
            await inbox.RunAsync(handlings, stoppingToken);
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
                await SettleAsync(from, handling.Delivery, () => failures.AfterFailureAsync(handling, error, stoppingToken), null, stoppingToken);
            }
            else
            {
                await SettleAsync(from, handling.Delivery, () => Task.CompletedTask,
                    () => telemetry.Consumed(subscription.EventName, handling.Duplicate), stoppingToken);
            }
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
}
