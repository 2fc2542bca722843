using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Outbox;

public sealed class UnroutableEventTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static void QuickUnroutableRetries(MessagingBuilder messaging) => messaging.Configure(options =>
    {
        options.UnroutableRetryDelay = TimeSpan.FromMilliseconds(200);
        options.UnroutableRetryMaxDelay = TimeSpan.FromMilliseconds(500);
    });

    [Fact]
    public async Task An_event_no_queue_is_bound_to_stays_unsent_and_is_delivered_once_a_subscriber_queue_exists()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var producer = await scenario.StartHostAsync(handles: false, configure: QuickUnroutableRetries);

        var thing = await scenario.CommitThingAsync(producer, 1);

        await Eventually.HoldsAsync(async () => await scenario.ScalarAsync("SELECT attempts FROM messaging.outbox") >= 2,
            TimeSpan.FromSeconds(20), "the broker returned the event at least twice");
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL")).ShouldBe(1);
        counters.Unroutable.ShouldBeGreaterThanOrEqualTo(2);
        counters.Published.ShouldBe(0);

        await scenario.StartHostAsync(publishes: false);

        await scenario.WaitForEffectsAsync(1, TimeSpan.FromSeconds(30));
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        await Eventually.HoldsAsync(async () => await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(10), "the row marked sent");
        counters.Published.ShouldBe(1);
    }

    [Fact]
    public async Task A_parked_unroutable_row_does_not_hold_back_the_rows_after_it()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync(configure: messaging => QuickUnroutableRetries(messaging.Publishes<ThingNoted>()));
        var outbox = host.Services.GetRequiredService<IOutbox>();
        await using (var connection = await scenario.Database.DataSource.OpenConnectionAsync(Cancellation))
        await using (var transaction = await connection.BeginTransactionAsync(Cancellation))
        {
            await outbox.EnqueueAsync(new ThingNoted(1), transaction, Cancellation); // nobody subscribes to ThingNoted
            await transaction.CommitAsync(Cancellation);
        }

        var after = await scenario.CommitThingAsync(host, 2);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.EffectsOfAsync(after.EventId)).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL AND event_name = 'tests.thing-noted.v1'"))
            .ShouldBe(1);
        (await scenario.ScalarAsync("SELECT attempts FROM messaging.outbox WHERE event_name = 'tests.thing-noted.v1'")).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task An_event_declared_as_possibly_without_subscriber_is_sent_and_dropped()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var host = await scenario.StartHostAsync(handles: false, publishes: false,
            configure: messaging => messaging.Publishes<ThingHappened>(mayHaveNoSubscriber: true));

        await scenario.CommitThingAsync(host, 1);

        await Eventually.HoldsAsync(async () => await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(20), "the row marked sent");
        counters.Unroutable.ShouldBe(0);
    }

    [Fact]
    public async Task A_direct_publish_no_queue_is_bound_to_throws()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync(handles: false);

        var refusal = await Should.ThrowAsync<UnroutableMessageException>(
            () => host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new ThingHappened(1), Cancellation));

        refusal.RoutingKey.ShouldBe("tests.thing-happened.v1");
    }
}
