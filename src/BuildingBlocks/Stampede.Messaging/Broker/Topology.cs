using RabbitMQ.Client;

namespace Stampede.Messaging;

/// <summary>Names and declarations of the exchanges and queues. Every declaration is idempotent, so
/// each consumer declares what it needs at start-up.</summary>
public static class Topology
{
    /// <summary>The exchange a consuming service's dead letters go to (fanout to its dead-letter queue).</summary>
    public static string DeadLetterExchange(string service) => $"{service}.dead-letters";

    /// <summary>The queue holding a consuming service's dead letters.</summary>
    public static string DeadLetterQueue(string service) => $"{service}.dead-letters";

    /// <summary>The queue where a failed message of <paramref name="queue"/> waits <paramref name="delay"/>
    /// before the broker dead-letters it back to <paramref name="queue"/>.</summary>
    public static string RetryQueue(string queue, TimeSpan delay) => $"{queue}.retry.{(long)delay.TotalMilliseconds}ms";

    /// <summary>The delays that have a retry queue: those of handler failures and of transient ones.</summary>
    public static IEnumerable<TimeSpan> RetryQueueDelays(MessagingOptions options) =>
        options.RetryDelays.Concat(options.TransientRetryDelays).Distinct();

    internal static Task DeclareEventsExchangeAsync(IChannel channel, string exchange, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);

    internal static async Task DeclareDeadLettersAsync(IChannel channel, string service, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(DeadLetterExchange(service), ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(DeadLetterQueue(service), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(DeadLetterQueue(service), DeadLetterExchange(service), routingKey: "", cancellationToken: cancellationToken);
    }

    internal static async Task DeclareSubscriptionAsync(IChannel channel, MessagingOptions options, Subscription subscription,
        CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(subscription.Queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = options.DeliveryLimit,
                ["x-dead-letter-exchange"] = DeadLetterExchange(options.ServiceName),
                ["x-dead-letter-routing-key"] = subscription.Queue,
            },
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(subscription.Queue, options.Exchange, subscription.EventName, cancellationToken: cancellationToken);

        foreach (var delay in RetryQueueDelays(options))
        {
            // A message waits out its delay here, then the broker dead-letters it back to the
            // subscription queue through the default exchange.
            await channel.QueueDeclareAsync(RetryQueue(subscription.Queue, delay), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = subscription.Queue,
                },
                cancellationToken: cancellationToken);
        }
    }
}
