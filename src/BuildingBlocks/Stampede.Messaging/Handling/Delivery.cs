using RabbitMQ.Client;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>One message as the broker handed it out; the body is a copy, valid after the callback.</summary>
internal sealed record Delivery(ulong Tag, IReadOnlyBasicProperties Properties, byte[] Body);

/// <summary>A readable delivery on its way through the inbox transaction, and how that went.</summary>
internal sealed class Handling(Delivery delivery, Guid messageId, IntegrationEvent @event)
{
    public Delivery Delivery { get; } = delivery;

    public Guid MessageId { get; } = messageId;

    public IntegrationEvent Event { get; } = @event;

    /// <summary>Retries after handler failures so far (the <see cref="MessageHeaders.Attempt"/> header).</summary>
    public int Attempt { get; } = MessageHeaders.ReadInt(delivery.Properties.Headers, MessageHeaders.Attempt);

    /// <summary>Transient retries in a row so far (the <see cref="MessageHeaders.TransientAttempt"/> header).</summary>
    public int TransientAttempt { get; } = MessageHeaders.ReadInt(delivery.Properties.Headers, MessageHeaders.TransientAttempt);

    /// <summary>True when the inbox already held the message, so the handler did not run.</summary>
    public bool Duplicate { get; set; }

    public Exception? Error { get; set; }
}
