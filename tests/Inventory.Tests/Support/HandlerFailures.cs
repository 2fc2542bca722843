using System.Diagnostics.Metrics;
using Stampede.Messaging;

namespace Stampede.Inventory.Tests.Support;

/// <summary>Counts the inventory service's failed handlings (retries and dead letters) from the
/// messaging block's own counters while it is alive. A deadlock or any other handler error shows here.</summary>
public sealed class HandlerFailures : IDisposable
{
    private readonly MeterListener listener = new();
    private long count;

    public HandlerFailures()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name
                && instrument.Name is "stampede.messaging.retried" or "stampede.messaging.dead_lettered")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "service", Value: "inventory" }) Interlocked.Add(ref count, value);
        });
        listener.Start();
    }

    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();
}
