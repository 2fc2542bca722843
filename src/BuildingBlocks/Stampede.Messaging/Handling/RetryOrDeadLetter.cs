using Microsoft.Extensions.Logging;

namespace Stampede.Messaging;

/// <summary>Where a delivery of one subscription goes when it was not handled: the retry queue of the
/// next delay, or, after the last one (or at once when unreadable), the service's dead letters.</summary>
internal sealed class RetryOrDeadLetter(
    Subscription subscription,
    MessagingOptions options,
    ConfirmedPublisher publisher,
    MessagingTelemetry telemetry,
    ILogger logger)
{
    public async Task AfterFailureAsync(Handling handling, Exception error, CancellationToken cancellationToken)
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

    public async Task DeadLetterAsync(Delivery delivery, string reason, string error, CancellationToken cancellationToken)
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
}
