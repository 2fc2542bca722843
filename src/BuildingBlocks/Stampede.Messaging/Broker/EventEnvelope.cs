using RabbitMQ.Client;

namespace Stampede.Messaging;

/// <summary>The AMQP properties every event travels with.</summary>
internal static class EventEnvelope
{
    public static BasicProperties Properties(Guid eventId, string eventName, string service, DateTimeOffset occurredAt,
        string? traceParent, string? traceState)
    {
        var headers = new Dictionary<string, object?>();
        if (traceParent is not null)
        {
            headers[MessagingTelemetry.TraceParentHeader] = traceParent;
        }

        if (!string.IsNullOrEmpty(traceState))
        {
            headers[MessagingTelemetry.TraceStateHeader] = traceState;
        }

        return new BasicProperties
        {
            MessageId = eventId.ToString(),
            Type = eventName,
            AppId = service,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(occurredAt.ToUnixTimeSeconds()),
            Headers = headers,
        };
    }

    /// <summary>A copy for re-sending a received message: same id, type and body, headers without
    /// the broker's dead-lettering history.</summary>
    public static BasicProperties CopyForResend(IReadOnlyBasicProperties source, Action<IDictionary<string, object?>> changeHeaders)
    {
        var headers = new Dictionary<string, object?>();
        if (source.Headers is not null)
        {
            foreach (var (key, value) in source.Headers)
            {
                if (!key.StartsWith("x-death", StringComparison.Ordinal) && !key.StartsWith("x-first-death", StringComparison.Ordinal)
                    && !key.StartsWith("x-last-death", StringComparison.Ordinal) && key != "x-delivery-count"
                    && key != RabbitMQ.Client.Constants.PublishSequenceNumberHeader)
                {
                    headers[key] = value;
                }
            }
        }

        changeHeaders(headers);
        return new BasicProperties
        {
            MessageId = source.MessageId,
            Type = source.Type,
            AppId = source.AppId,
            ContentType = source.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = source.Timestamp,
            Headers = headers,
        };
    }
}
