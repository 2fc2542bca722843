using System.Text.Json;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Handling;

public sealed class InboxTests
{
    [Fact]
    public async Task The_same_message_delivered_twice_has_one_effect()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        await scenario.StartHostAsync();
        var thing = new ThingHappened(42);
        var body = JsonSerializer.Serialize(thing, MessagingJson.Options);

        await scenario.PublishRawAsync(thing.EventId.ToString(), body);
        await scenario.PublishRawAsync(thing.EventId.ToString(), body);

        await Eventually.HoldsAsync(() => Task.FromResult(counters.Handled + counters.Duplicates == 2), TimeSpan.FromSeconds(60),
            "both deliveries acknowledged");
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        counters.Handled.ShouldBe(1);
        counters.Duplicates.ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_message_have_one_effect()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        await scenario.StartHostAsync(configure: messaging => messaging.Configure(options => options.ConsumerConcurrency = 8));
        var thing = new ThingHappened(1);
        var body = JsonSerializer.Serialize(thing, MessagingJson.Options);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => scenario.PublishRawAsync(thing.EventId.ToString(), body)));

        await Eventually.HoldsAsync(() => Task.FromResult(counters.Handled + counters.Duplicates == 8), TimeSpan.FromSeconds(60),
            "all deliveries acknowledged");
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
    }
}
