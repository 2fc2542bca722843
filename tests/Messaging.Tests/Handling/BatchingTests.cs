using System.Text.Json;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Handling;

public sealed class BatchingTests
{
    [Fact]
    public async Task Waiting_messages_share_a_transaction_and_one_failure_does_not_undo_the_others()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var first = await scenario.StartHostAsync(publishes: false);
        await first.StopAsync(TestContext.Current.CancellationToken);
        // Queued while no consumer runs, so the next one finds them all waiting at once.
        var things = Enumerable.Range(1, 10).Select(number => new ThingHappened(number)).ToList();
        foreach (var thing in things)
        {
            await scenario.PublishRawAsync(thing.EventId.ToString(), JsonSerializer.Serialize(thing, MessagingJson.Options));
        }

        scenario.Script.FailFirstAttemptOf[4] = true;
        await scenario.StartHostAsync(publishes: false, configure: messaging => messaging.Configure(options => options.ConsumerConcurrency = 1));

        await scenario.WaitForEffectsAsync(10);
        (await scenario.ScalarAsync("SELECT count(*) FROM effects WHERE attempt = 0")).ShouldBe(9);
        (await scenario.ScalarAsync("SELECT attempt FROM effects WHERE number = 4")).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT count(DISTINCT event_id) FROM effects")).ShouldBe(10);
        // Rows written in one transaction share its start time.
        (await scenario.ScalarAsync("SELECT count(DISTINCT handled_at) FROM messaging.inbox")).ShouldBeLessThan(10);
        counters.Retried.ShouldBe(1);
        counters.Handled.ShouldBe(10);
    }
}
