using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Stampede.Messaging;

namespace Stampede.Testing;

/// <summary>Sums the "Stampede.Messaging" counters of one service (by its <c>service</c> tag).</summary>
public sealed class MessagingCounters : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, long> totals = new();
    private readonly string service;

    public MessagingCounters(string service)
    {
        this.service = service;
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var ofService = false;
            var qualifier = "";
            foreach (var tag in tags)
            {
                ofService |= tag.Key == "service" && Equals(tag.Value, service);
                if (tag.Key is "outcome" or "reason")
                {
                    qualifier = $":{tag.Value}";
                }
            }

            if (ofService)
            {
                totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                if (qualifier.Length > 0)
                {
                    totals.AddOrUpdate(instrument.Name + qualifier, value, (_, sum) => sum + value);
                }
            }
        });
        listener.Start();
    }

    public long Published => this["stampede.messaging.published"];

    public long Handled => this["stampede.messaging.consumed:handled"];

    public long Duplicates => this["stampede.messaging.consumed:duplicate"];

    public long Retried => this["stampede.messaging.retried"];

    public long DeadLettered => this["stampede.messaging.dead_lettered"];

    public long TransientRetried => this["stampede.messaging.transient_retried"];

    public long Unroutable => this["stampede.messaging.unroutable"];

    public long this[string name] => totals.GetValueOrDefault(name);

    public override string ToString() => $"{service}: " + string.Join(", ", totals.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"));

    public void Dispose() => listener.Dispose();
}
