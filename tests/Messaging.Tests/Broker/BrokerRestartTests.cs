using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Broker;

public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Events_produced_across_a_broker_restart_all_arrive_and_take_effect_once()
    {
        const int Events = 300;
        await using var broker = await PrivateRabbitMq.StartAsync();
        await using var scenario = await MessagingScenario.CreateAsync(broker.Uri);
        using var counters = new MessagingCounters(scenario.Service);
        await scenario.StartHostAsync(publishes: false);
        var producer = await scenario.StartHostAsync(handles: false);
        var committed = 0;

        var producing = Task.Run(async () =>
        {
            for (var number = 0; number < Events; number++)
            {
                await scenario.CommitThingAsync(producer, number);
                Interlocked.Increment(ref committed);
                await Task.Delay(25);
            }
        }, TestContext.Current.CancellationToken);

        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref committed) >= Events / 4), TimeSpan.FromSeconds(30), "a quarter committed");
        await broker.StopServerAsync();
        var committedWhileDown = Volatile.Read(ref committed);
        await broker.StartServerAsync();
        await producing;

        await scenario.WaitForEffectsAsync(Events, TimeSpan.FromSeconds(90));
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"broker stopped after {committedWhileDown} commits; {counters}; handler invocations {scenario.Script.TotalInvocations}");
        (await scenario.EffectsAsync()).ShouldBe(Events);
        (await scenario.ScalarAsync("SELECT count(DISTINCT event_id) FROM effects")).ShouldBe(Events);
        (await scenario.ScalarAsync("SELECT count(*) FROM messaging.outbox WHERE sent_at IS NULL")).ShouldBe(0);
        // A handling committed just before the broker went down loses its acknowledgement: it comes
        // back and counts as a duplicate, which is the inbox doing its job.
        counters.Handled.ShouldBeLessThanOrEqualTo(Events);
        (counters.Handled + counters.Duplicates).ShouldBeGreaterThanOrEqualTo(Events);
        counters.Published.ShouldBeGreaterThanOrEqualTo(Events);
    }
}
