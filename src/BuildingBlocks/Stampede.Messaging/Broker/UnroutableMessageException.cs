namespace Stampede.Messaging;

/// <summary>The broker returned a mandatory message: no queue is bound for its routing key, so nobody
/// would have received it. Nothing was delivered; publish it again once a subscriber's queue exists.</summary>
public sealed class UnroutableMessageException(string exchange, string routingKey, string? reply)
    : Exception($"No queue is bound to '{exchange}' for '{routingKey}' ({reply ?? "NO_ROUTE"}).")
{
    /// <summary>The exchange the message was published to ("" for the default exchange).</summary>
    public string Exchange { get; } = exchange;

    /// <summary>The routing key nothing was bound for (an event name for integration events).</summary>
    public string RoutingKey { get; } = routingKey;
}
