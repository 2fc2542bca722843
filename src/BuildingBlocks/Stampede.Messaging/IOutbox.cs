using Npgsql;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Writes integration events into the service's outbox table inside the caller's own
/// transaction, so the event exists if and only if the business change commits. The outbox relay
/// publishes it after commit.</summary>
public interface IOutbox
{
    Task EnqueueAsync<TEvent>(TEvent @event, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        where TEvent : IntegrationEvent;
}
