using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Handles one integration event inside the consumer's transaction. Register it with
/// <c>builder.AddMessaging("svc").Handles&lt;TEvent, THandler&gt;()</c>. Do all database work through
/// <see cref="MessageContext.Connection"/> and <see cref="MessageContext.Transaction"/>: the inbox row
/// is written in that transaction, so the effects happen once even when the message arrives twice.
/// Throw to have the message retried later.</summary>
public interface IIntegrationEventHandler<in TEvent> where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent @event, MessageContext context, CancellationToken cancellationToken);
}
