using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Outbox;

public sealed class OutboxDeliveryTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_committed_change_and_its_event_take_effect_exactly_once()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var host = await scenario.StartHostAsync();

        var thing = await scenario.CommitThingAsync(host, 7);

        await scenario.WaitForEffectsAsync(1);
        await Task.Delay(1000, Cancellation);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        (await scenario.EffectsAsync()).ShouldBe(1);
        scenario.Script.Invocations(thing.EventId).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NOT NULL")).ShouldBe(1);
        counters.Published.ShouldBe(1);
        counters.Handled.ShouldBe(1);
        counters.Duplicates.ShouldBe(0);
    }

    [Fact]
    public async Task The_relay_wakes_on_commit_without_waiting_for_the_sweep()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync(configure: messaging => messaging.Configure(options => options.SweepInterval = TimeSpan.FromMinutes(5)));
        await scenario.CommitThingAsync(host, 1);
        await scenario.WaitForEffectsAsync(1);

        var clock = Stopwatch.StartNew();
        await scenario.CommitThingAsync(host, 2);
        await scenario.WaitForEffectsAsync(2, TimeSpan.FromSeconds(30));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30)); // far below the 5-minute sweep: only a wake-up explains it
    }

    [Fact]
    public async Task A_rolled_back_transaction_publishes_nothing()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var outbox = host.Services.GetRequiredService<IOutbox>();

        await using (var connection = await scenario.Database.DataSource.OpenConnectionAsync(Cancellation))
        await using (var transaction = await connection.BeginTransactionAsync(Cancellation))
        {
            await connection.ExecuteAsync("INSERT INTO things (number) VALUES (1)", transaction: transaction);
            await outbox.EnqueueAsync(new ThingHappened(1), transaction, Cancellation);
            await transaction.RollbackAsync(Cancellation);
        }

        // A later committed event proves the relay and the consumer ran past the rolled-back one.
        var marker = await scenario.CommitThingAsync(host, 2);
        await scenario.WaitForEffectsAsync(1);
        await Task.Delay(500, Cancellation);

        (await scenario.EffectsAsync()).ShouldBe(1);
        (await scenario.EffectsOfAsync(marker.EventId)).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox")).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM things")).ShouldBe(1);
    }

    [Fact]
    public async Task An_event_committed_while_the_relay_is_down_is_delivered_once_after_restart()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        await scenario.StartHostAsync(publishes: false);
        var producer = await scenario.StartHostAsync(handles: false);
        await producer.StopAsync(Cancellation);

        // The producer process "died" after its commit and before its relay published.
        var thing = await scenario.CommitThingAsync(producer, 1);
        await Task.Delay(1500, Cancellation);
        (await scenario.EffectsAsync()).ShouldBe(0);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL")).ShouldBe(1);

        await scenario.StartHostAsync(handles: false);

        await scenario.WaitForEffectsAsync(1);
        await Task.Delay(1000, Cancellation);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        counters.Published.ShouldBe(1);
        counters.Duplicates.ShouldBe(0);
    }

    [Fact]
    public async Task Two_relays_on_one_outbox_send_every_row_once()
    {
        const int Events = 600;
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        await scenario.StartHostAsync(publishes: false);
        var first = await scenario.StartHostAsync(handles: false, configure: m => m.Configure(o => o.RelayBatchSize = 20));
        await scenario.StartHostAsync(handles: false, configure: m => m.Configure(o => o.RelayBatchSize = 20));
        var outbox = first.Services.GetRequiredService<IOutbox>();

        // Several writers commit at once, so both relays keep finding fresh rows.
        await Parallel.ForAsync(0, Events / 10, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = Cancellation }, async (batch, ct) =>
        {
            await using var connection = await scenario.Database.DataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            for (var i = 0; i < 10; i++)
            {
                await outbox.EnqueueAsync(new ThingHappened(batch * 10 + i), transaction, ct);
            }

            await transaction.CommitAsync(ct);
        });

        await scenario.WaitForEffectsAsync(Events, TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(() => Task.FromResult(counters.Published >= Events), TimeSpan.FromSeconds(10), "publishes counted");
        await Task.Delay(1000, Cancellation);

        TestContext.Current.TestOutputHelper?.WriteLine(counters.ToString());
        counters.Published.ShouldBe(Events);
        (await scenario.EffectsAsync()).ShouldBe(Events);
        (await scenario.ScalarAsync("SELECT count(DISTINCT event_id) FROM effects")).ShouldBe(Events);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL")).ShouldBe(0);
        counters.Duplicates.ShouldBe(0);
    }

    [Fact]
    public async Task A_service_without_a_transaction_publishes_directly_with_a_confirm()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var thing = new ThingHappened(3);

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(thing, Cancellation);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox")).ShouldBe(0);
    }

    [Fact]
    public async Task An_event_the_service_did_not_declare_is_refused()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = scenario.BuildHost();
        var outbox = host.Services.GetRequiredService<IOutbox>();
        await using var connection = await scenario.Database.DataSource.OpenConnectionAsync(Cancellation);
        await using var transaction = await connection.BeginTransactionAsync(Cancellation);

        var refusal = await Should.ThrowAsync<InvalidOperationException>(() => outbox.EnqueueAsync(new ThingNoted(1), transaction, Cancellation));

        refusal.Message.ShouldContain(".Publishes<ThingNoted>()");
    }

    [Fact]
    public async Task A_handler_publishes_a_follow_up_through_the_outbox_in_its_transaction()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync(handles: false, configure: messaging => messaging
            .Publishes<ThingNoted>()
            .Handles<ThingHappened, NoteThing>()
            .Handles<ThingNoted, RecordNote>());
        await MessagingScenario.WaitUntilConsumingAsync(host);

        await scenario.CommitThingAsync(host, 5);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM effects WHERE number = 5")).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE event_name = 'tests.thing-noted.v1'")).ShouldBe(1);
    }

    [Fact]
    public async Task The_trace_context_travels_from_the_producer_to_the_handler()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MessagingTelemetry.Name or "Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var tests = new ActivitySource("Tests");
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync();

        string traceId;
        using (var request = tests.StartActivity("place thing"))
        {
            traceId = request!.TraceId.ToString();
            await scenario.CommitThingAsync(host, 1);
        }

        await scenario.WaitForEffectsAsync(1);
        await using var connection = await scenario.Database.DataSource.OpenConnectionAsync(Cancellation);
        (await connection.ExecuteScalarAsync<string>("SELECT trace_id FROM effects")).ShouldBe(traceId);
    }
}
