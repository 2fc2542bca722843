using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stampede.Messaging;

/// <summary>Traces (ActivitySource "Stampede.Messaging") and counters (Meter "Stampede.Messaging")
/// of one service's messaging. Every measurement carries the <c>service</c> tag.</summary>
public sealed class MessagingTelemetry
{
    /// <summary>Name of the ActivitySource and of the Meter.</summary>
    public const string Name = "Stampede.Messaging";

    /// <summary>Header carrying the W3C trace context.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Header carrying the W3C trace state.</summary>
    public const string TraceStateHeader = "tracestate";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly string service;
    private readonly Counter<long> published;
    private readonly Counter<long> consumed;
    private readonly Counter<long> retried;
    private readonly Counter<long> deadLettered;
    private readonly Counter<long> unroutable;
    private readonly Counter<long> transientRetried;
    private double outboxLagSeconds;

    internal MessagingTelemetry(IMeterFactory meterFactory, string service)
    {
        this.service = service;
        var meter = meterFactory.Create(Name);
        published = meter.CreateCounter<long>("stampede.messaging.published", "{message}", "Messages the broker confirmed.");
        consumed = meter.CreateCounter<long>("stampede.messaging.consumed", "{message}", "Messages handled and acknowledged (outcome: handled or duplicate).");
        retried = meter.CreateCounter<long>("stampede.messaging.retried", "{message}", "Failed handlings scheduled for a later retry.");
        deadLettered = meter.CreateCounter<long>("stampede.messaging.dead_lettered", "{message}", "Messages moved to the dead letters (reason: failed or poison).");
        transientRetried = meter.CreateCounter<long>("stampede.messaging.transient_retried", "{message}",
            "Handlings that failed for a transient reason (database, broker or neighbour unreachable) and wait to be tried again; never dead-lettered.");
        unroutable = meter.CreateCounter<long>("stampede.messaging.unroutable", "{message}",
            "Outbox rows the broker returned because no queue is bound to their event; each stays unsent and is tried again.");
        meter.CreateObservableGauge("stampede.messaging.outbox.lag", () => new Measurement<double>(Volatile.Read(ref outboxLagSeconds), Tag()),
            "s", "Age of the oldest unsent outbox row, 0 when all are sent.");
    }

    internal void Published(string eventName, int count = 1) => published.Add(count, Tag(), new("event", eventName));

    internal void Consumed(string eventName, bool duplicate) =>
        consumed.Add(1, Tag(), new("event", eventName), new("outcome", duplicate ? "duplicate" : "handled"));

    internal void Retried(string eventName) => retried.Add(1, Tag(), new("event", eventName));

    internal void DeadLettered(string eventName, string reason) =>
        deadLettered.Add(1, Tag(), new("event", eventName), new("reason", reason));

    internal void TransientRetried(string eventName) => transientRetried.Add(1, Tag(), new("event", eventName));

    internal void Unroutable(string eventName, int count = 1) => unroutable.Add(count, Tag(), new("event", eventName));

    internal void OutboxLag(TimeSpan lag) => Volatile.Write(ref outboxLagSeconds, Math.Max(0, lag.TotalSeconds));

    private KeyValuePair<string, object?> Tag() => new("service", service);
}
