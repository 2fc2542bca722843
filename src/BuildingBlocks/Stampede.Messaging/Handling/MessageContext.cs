using Npgsql;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>What a handler gets besides the event: the open transaction its effects must use, and
/// the delivery's details.</summary>
public sealed class MessageContext
{
    private readonly IOutbox outbox;

    internal MessageContext(IOutbox outbox, NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid messageId, string eventName, string subscription, int attempt)
    {
        this.outbox = outbox;
        Connection = connection;
        Transaction = transaction;
        MessageId = messageId;
        EventName = eventName;
        Subscription = subscription;
        Attempt = attempt;
    }

    /// <summary>The open connection of this delivery's transaction.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction that also records the message in the inbox; it commits after the
    /// handler returns and rolls back if it throws.</summary>
    public NpgsqlTransaction Transaction { get; }

    /// <summary>Id of the message (the event's <see cref="IntegrationEvent.EventId"/>).</summary>
    public Guid MessageId { get; }

    /// <summary>Wire name of the event.</summary>
    public string EventName { get; }

    /// <summary>The subscription (queue) this delivery came from.</summary>
    public string Subscription { get; }

    /// <summary>0 on the first delivery, then the number of retries so far.</summary>
    public int Attempt { get; }

    /// <summary>Publishes a follow-up event through the outbox in this same transaction: it is sent
    /// if and only if this handling commits.</summary>
    public Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken) where TEvent : IntegrationEvent =>
        outbox.EnqueueAsync(@event, Transaction, cancellationToken);
}
