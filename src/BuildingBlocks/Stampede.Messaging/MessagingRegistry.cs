using Microsoft.Extensions.DependencyInjection;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>What one service declared: the events it publishes and the subscriptions it runs.</summary>
internal sealed class MessagingRegistry(string serviceName)
{
    private readonly Dictionary<Type, string> published = [];
    private readonly HashSet<string> mayGoUnrouted = [];
    private readonly List<Subscription> subscriptions = [];

    public string ServiceName { get; } = serviceName;

    public IReadOnlyList<Subscription> Subscriptions => subscriptions;

    public void AddPublished(Type eventType, bool mayHaveNoSubscriber)
    {
        var eventName = EventNames.Of(eventType);
        published[eventType] = eventName;
        if (mayHaveNoSubscriber)
        {
            mayGoUnrouted.Add(eventName);
        }
        else
        {
            mayGoUnrouted.Remove(eventName);
        }
    }

    /// <summary>False for the events declared with <c>mayHaveNoSubscriber</c>: those are published
    /// without the mandatory flag, so with no queue bound the broker drops them.</summary>
    public bool NeedsASubscriber(string eventName) => !mayGoUnrouted.Contains(eventName);

    public bool Publishes(Type eventType) => published.ContainsKey(eventType);

    public bool PublishesAnything => published.Count > 0;

    public void AddSubscription(Subscription subscription)
    {
        if (subscriptions.Any(s => s.Queue == subscription.Queue))
        {
            throw new InvalidOperationException(
                $"Service '{ServiceName}' already has a subscription '{subscription.Queue}'; give the second handler of {subscription.EventName} its own subscription name.");
        }

        subscriptions.Add(subscription);
    }
}

/// <summary>One durable queue of a consuming service, bound to one event, served by one handler.</summary>
internal sealed record Subscription(
    string Queue,
    string EventName,
    Type EventType,
    Type HandlerType,
    Func<IServiceProvider, IntegrationEvent, MessageContext, CancellationToken, Task> Invoke)
{
    public static Subscription For<TEvent, THandler>(string serviceName, string? name)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        var eventName = EventNames.Of<TEvent>();
        return new Subscription(
            $"{serviceName}.{name ?? eventName}",
            eventName,
            typeof(TEvent),
            typeof(THandler),
            (services, @event, context, ct) => services.GetRequiredService<THandler>().HandleAsync((TEvent)@event, context, ct));
    }
}
