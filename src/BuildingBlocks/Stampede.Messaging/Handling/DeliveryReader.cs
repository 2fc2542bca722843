using System.Text.Json;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Turns a delivery into its event, or says why it is poison (not a message of this subscription).</summary>
internal static class DeliveryReader
{
    /// <summary>The message id and event, or null for what could not be read.</summary>
    public static (Guid? MessageId, IntegrationEvent? Event) Read(Subscription subscription, Delivery delivery)
    {
        var properties = delivery.Properties;
        if (!Guid.TryParse(properties.MessageId, out var messageId)
            || (properties.Type is { } type && type != subscription.EventName))
        {
            return (null, null);
        }

        try
        {
            return (messageId, JsonSerializer.Deserialize(delivery.Body, subscription.EventType, MessagingJson.Options) as IntegrationEvent);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (messageId, null);
        }
    }

    public static string PoisonReason(Subscription subscription, Delivery delivery)
    {
        var properties = delivery.Properties;
        if (!Guid.TryParse(properties.MessageId, out _))
        {
            return $"poison: message id '{properties.MessageId}' is not a GUID";
        }

        if (properties.Type is { } type && type != subscription.EventName)
        {
            return $"poison: type '{type}' arrived on a subscription to '{subscription.EventName}'";
        }

        try
        {
            JsonSerializer.Deserialize(delivery.Body, subscription.EventType, MessagingJson.Options);
            return $"poison: the body is not a {subscription.EventType.Name}";
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return $"poison: the body is not a {subscription.EventType.Name}: {ex.Message}";
        }
    }

    private static bool IsUnreadable(Exception ex) => ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException;
}
