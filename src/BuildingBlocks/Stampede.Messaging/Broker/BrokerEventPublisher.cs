using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stampede.Contracts;

namespace Stampede.Messaging;

internal sealed class BrokerEventPublisher(
    MessagingRegistry registry,
    ConfirmedPublisher publisher,
    MessagingTelemetry telemetry,
    IOptions<MessagingOptions> options) : IEventPublisher
{
    public async Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken) where TEvent : IntegrationEvent
    {
        ArgumentNullException.ThrowIfNull(@event);
        var eventType = @event.GetType();
        if (!registry.Publishes(eventType))
        {
            throw new InvalidOperationException(
                $"Service '{registry.ServiceName}' publishes {eventType.Name} without declaring it: add .Publishes<{eventType.Name}>() to its AddMessaging call.");
        }

        var eventName = EventNames.Of(eventType);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{eventName} publish", ActivityKind.Producer);
        var traced = activity ?? (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current : null);
        var properties = EventEnvelope.Properties(@event.EventId, eventName, registry.ServiceName, @event.OccurredAt,
            traced?.Id, traced?.TraceStateString);
        var body = JsonSerializer.SerializeToUtf8Bytes(@event, eventType, MessagingJson.Options);
        await publisher.PublishAsync(options.Value.Exchange, eventName, properties, body, registry.NeedsASubscriber(eventName), cancellationToken);
        telemetry.Published(eventName);
    }
}
