using System.Collections.Concurrent;
using System.Reflection;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Reads the stable wire name of an event type from its <see cref="EventNameAttribute"/>.</summary>
public static class EventNames
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>The wire name of <typeparamref name="TEvent"/>, e.g. <c>identity.verification-code-issued.v1</c>.</summary>
    public static string Of<TEvent>() where TEvent : IntegrationEvent => Of(typeof(TEvent));

    /// <summary>The wire name of an event type.</summary>
    public static string Of(Type eventType) => Names.GetOrAdd(eventType, static type =>
        type.GetCustomAttribute<EventNameAttribute>()?.Name
        ?? throw new InvalidOperationException(
            $"{type.FullName} has no [EventName(\"area.fact-happened.v1\")] attribute; every integration event needs a stable wire name."));
}
