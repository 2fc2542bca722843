using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Observability;

public sealed class BrokerOutageTests
{
    private const string UnreachableBroker = "amqp://guest:guest@127.0.0.1:1/";

    [Fact]
    public async Task Readiness_fails_while_the_broker_is_unreachable()
    {
        await using var scenario = await MessagingScenario.CreateAsync(UnreachableBroker);
        var host = scenario.BuildHost();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        report.Entries["rabbitmq"].Status.ShouldBe(HealthStatus.Unhealthy);
        report.Entries["rabbitmq"].Tags.ShouldContain("ready");
    }

    [Fact]
    public async Task The_outbox_lag_reports_the_age_of_the_oldest_unsent_row_while_the_broker_is_unreachable()
    {
        await using var scenario = await MessagingScenario.CreateAsync(UnreachableBroker);
        await using (var connection = await scenario.Database.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync("""
                INSERT INTO messaging.outbox (event_id, event_name, payload, created_at)
                VALUES (gen_random_uuid(), 'tests.thing-happened.v1', '{"number":1}', now() - interval '1 hour')
                """);
        }

        var host = scenario.BuildHost(handles: false);
        var lag = 0d;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument is { Name: "stampede.messaging.outbox.lag", Meter.Name: MessagingTelemetry.Name })
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "service" && Equals(tag.Value, scenario.Service))
                {
                    lag = value;
                }
            }
        });
        listener.Start();
        await host.StartAsync(TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(lag >= 3600);
        }, TimeSpan.FromSeconds(15), "the lag gauge shows the hour-old row");
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL")).ShouldBe(1);
    }
}
