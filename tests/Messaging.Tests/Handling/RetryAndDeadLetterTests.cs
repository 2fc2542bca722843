using System.Text.Json;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Handling;

public sealed class RetryAndDeadLetterTests
{
    [Fact]
    public async Task A_handler_failing_three_times_then_succeeding_has_one_effect_after_three_retries()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        scenario.Script.FailuresBeforeSuccess = 3;
        var host = await scenario.StartHostAsync();

        var thing = await scenario.CommitThingAsync(host, 1);

        await scenario.WaitForEffectsAsync(1);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT attempt FROM effects")).ShouldBe(3);
        scenario.Script.Invocations(thing.EventId).ShouldBe(4);
        counters.Retried.ShouldBe(3);
        counters.DeadLettered.ShouldBe(0);
    }

    [Fact]
    public async Task A_failing_message_waits_in_a_retry_queue_while_the_next_ones_are_handled()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        scenario.RetryDelays = [TimeSpan.FromSeconds(3)];
        var host = await scenario.StartHostAsync(configure: messaging => messaging.Configure(options => options.ConsumerConcurrency = 1));
        scenario.Script.FailuresBeforeSuccess = 1;
        var slow = await scenario.CommitThingAsync(host, 1);
        await Eventually.HoldsAsync(() => Task.FromResult(scenario.Script.Invocations(slow.EventId) == 1), TimeSpan.FromSeconds(30), "first attempt");
        scenario.Script.FailuresBeforeSuccess = 0;

        var next = await scenario.CommitThingAsync(host, 2);

        await Eventually.HoldsAsync(async () => await scenario.EffectsOfAsync(next.EventId) == 1, TimeSpan.FromSeconds(2), "the next message handled");
        (await scenario.EffectsOfAsync(slow.EventId)).ShouldBe(0);
        await Eventually.HoldsAsync(async () => await scenario.EffectsOfAsync(slow.EventId) == 1, TimeSpan.FromSeconds(30), "the retried message handled");
    }

    [Fact]
    public async Task A_handler_that_always_fails_is_dead_lettered_with_the_reason_and_a_replay_handles_it()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        scenario.Script.AlwaysFail = true;
        var host = await scenario.StartHostAsync();
        await using var deadLetters = await DeadLetterQueue.ConnectAsync(scenario.BrokerUri, TestContext.Current.CancellationToken);

        var thing = await scenario.CommitThingAsync(host, 9);

        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(scenario.Service, CancellationToken.None) == 1,
            TimeSpan.FromSeconds(20), "the message dead-lettered");
        var letter = (await deadLetters.ListAsync(scenario.Service, 10, CancellationToken.None)).ShouldHaveSingleItem();
        letter.MessageId.ShouldBe(thing.EventId.ToString());
        letter.EventName.ShouldBe("tests.thing-happened.v1");
        letter.Queue.ShouldBe(scenario.Queue);
        letter.Reason.ShouldBe("failed");
        letter.Error.ShouldNotBeNull().ShouldContain("The thing was refused on attempt 3.");
        scenario.Script.Invocations(thing.EventId).ShouldBe(4);
        counters.Retried.ShouldBe(3);
        counters.DeadLettered.ShouldBe(1);
        (await scenario.EffectsAsync()).ShouldBe(0);

        scenario.Script.AlwaysFail = false;
        (await deadLetters.ReplayAsync(scenario.Service, CancellationToken.None)).ShouldBe(1);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        (await scenario.ScalarAsync("SELECT attempt FROM effects")).ShouldBe(0);
        (await deadLetters.CountAsync(scenario.Service, CancellationToken.None)).ShouldBe(0u);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_at_once_and_the_queue_keeps_flowing()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var host = await scenario.StartHostAsync(configure: messaging => messaging.Configure(options => options.ConsumerConcurrency = 1));
        await using var deadLetters = await DeadLetterQueue.ConnectAsync(scenario.BrokerUri, TestContext.Current.CancellationToken);
        var poisonId = Guid.NewGuid().ToString();

        await scenario.PublishRawAsync(poisonId, "{ this is not json");
        await scenario.PublishRawAsync(Guid.NewGuid().ToString(), JsonSerializer.Serialize(new { unrelated = true }));
        var healthy = await scenario.CommitThingAsync(host, 1);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.EffectsOfAsync(healthy.EventId)).ShouldBe(1);
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(scenario.Service, CancellationToken.None) == 2,
            TimeSpan.FromSeconds(30), "both poison messages dead-lettered");
        var letters = await deadLetters.ListAsync(scenario.Service, 10, CancellationToken.None);
        letters.ShouldAllBe(letter => letter.Reason == "poison" && letter.Queue == scenario.Queue);
        letters.ShouldContain(letter => letter.MessageId == poisonId && letter.Body == "{ this is not json");
        counters.Retried.ShouldBe(0);
        counters["stampede.messaging.dead_lettered:poison"].ShouldBe(2);
        scenario.Script.TotalInvocations.ShouldBe(1);

        (await deadLetters.PurgeAsync(scenario.Service, CancellationToken.None)).ShouldBe(2u);
        (await deadLetters.CountAsync(scenario.Service, CancellationToken.None)).ShouldBe(0u);
    }
}
