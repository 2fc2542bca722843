using Microsoft.Extensions.Logging;

namespace Stampede.Messaging;

/// <summary>Where a delivery of one subscription goes when it was not handled. A transient failure
/// (<see cref="TransientFailures"/>) waits in the retry queue of the next transient delay, the last
/// one repeating, for as long as it lasts. A failure of the handler's own waits in the retry queue of
/// the next <see cref="MessagingOptions.RetryDelays"/>, and after the last one (or at once when
/// unreadable) goes to the service's dead letters.</summary>
internal sealed class RetryOrDeadLetter(
    Subscription subscription,
    MessagingOptions options,
    ConfirmedPublisher publisher,
    MessagingTelemetry telemetry,
    ILogger logger)
{
    public async Task AfterFailureAsync(Handling handling, Exception error, CancellationToken cancellationToken)
    {
        if (TransientFailures.IsTransient(error) && options.TransientRetryDelays.Length > 0)
        {
            await RetryTransientAsync(handling, error, cancellationToken);
            return;
        }

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
        var properties = EventEnvelope.CopyForResend(delivery.Properties, headers =>
        {
            headers[MessageHeaders.Attempt] = handling.Attempt + 1;
            headers.Remove(MessageHeaders.TransientAttempt);
        });
        await publisher.PublishAsync("", Topology.RetryQueue(subscription.Queue, delays[handling.Attempt]), properties, delivery.Body,
            cancellationToken);
        telemetry.Retried(subscription.EventName);
    }

    private async Task RetryTransientAsync(Handling handling, Exception error, CancellationToken cancellationToken)
    {
        var delays = options.TransientRetryDelays;
        var delay = delays[Math.Min(handling.TransientAttempt, delays.Length - 1)];
        // Once per outage and message at warning level: a long outage would otherwise repeat it every delay.
        logger.Log(handling.TransientAttempt == 0 ? LogLevel.Warning : LogLevel.Debug,
            "Message {MessageId} of {Queue} hit a transient failure (try {Try}); trying again in {Delay}: {Error}",
            handling.MessageId, subscription.Queue, handling.TransientAttempt + 1, delay, error.Message);
        var properties = EventEnvelope.CopyForResend(handling.Delivery.Properties,
            headers => headers[MessageHeaders.TransientAttempt] = handling.TransientAttempt + 1);
        await publisher.PublishAsync("", Topology.RetryQueue(subscription.Queue, delay), properties, handling.Delivery.Body, cancellationToken);
        telemetry.TransientRetried(subscription.EventName);
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
