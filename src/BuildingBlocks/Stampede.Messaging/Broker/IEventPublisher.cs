using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Publishes straight to the broker, for services without a database of their own. It
/// returns once the broker confirmed the event and throws if it could not; nothing ties the event to
/// a business change, so services with a database use <see cref="IOutbox"/> instead.</summary>
public interface IEventPublisher
{
    Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken) where TEvent : IntegrationEvent;
}
