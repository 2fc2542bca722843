using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Handling;

/// <summary>The retry budget (three retries of 200 ms in these scenarios) is for a handler's own
/// failures; a failure of the world around it is retried for as long as it lasts.</summary>
public sealed class TransientFailureTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_handler_saying_transient_is_retried_past_the_retry_budget_and_handled_once_without_a_dead_letter()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        scenario.Script.TransientFailuresBeforeSuccess = 10;
        var host = await scenario.StartHostAsync();

        var thing = await scenario.CommitThingAsync(host, 1);

        await scenario.WaitForEffectsAsync(1, TimeSpan.FromSeconds(30));
        await Task.Delay(300, Cancellation);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        scenario.Script.Invocations(thing.EventId).ShouldBe(11);
        (await scenario.ScalarAsync("SELECT attempt FROM effects")).ShouldBe(0); // transient tries do not count as attempts
        counters.TransientRetried.ShouldBe(10);
        counters.Retried.ShouldBe(0);
        counters.DeadLettered.ShouldBe(0);
    }

    [Fact]
    public async Task A_transient_failure_then_a_handler_failure_still_dead_letters_within_the_budget()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        scenario.Script.TransientFailuresBeforeSuccess = 2;
        scenario.Script.AlwaysFail = true;
        var host = await scenario.StartHostAsync();
        await using var deadLetters = await DeadLetterQueue.ConnectAsync(scenario.BrokerUri, Cancellation);

        var thing = await scenario.CommitThingAsync(host, 1);

        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(scenario.Service, CancellationToken.None) == 1,
            TimeSpan.FromSeconds(20), "the message dead-lettered");
        scenario.Script.Invocations(thing.EventId).ShouldBe(2 + 4);
        counters.TransientRetried.ShouldBe(2);
        counters.Retried.ShouldBe(3);
        (await scenario.EffectsAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Messages_survive_an_outage_of_the_consumers_database_far_longer_than_the_retry_budget()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        using var counters = new MessagingCounters(scenario.Service);
        var server = new NpgsqlConnectionStringBuilder(Infrastructure.TestServers.Postgres);
        await using var link = TcpLink.To(server.Host!, server.Port);
        await using var throughLink = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Infrastructure.TestServers.Postgres)
        {
            Host = "127.0.0.1", Port = link.Port, Database = scenario.Database.Name, Timeout = 3,
        }.ConnectionString);
        await scenario.StartHostAsync(publishes: false, configure: messaging => messaging.Services.AddSingleton(throughLink));
        var producer = await scenario.StartHostAsync(handles: false);
        await using var deadLetters = await DeadLetterQueue.ConnectAsync(scenario.BrokerUri, Cancellation);

        link.Cut();
        var things = new[] { await scenario.CommitThingAsync(producer, 1), await scenario.CommitThingAsync(producer, 2) };

        // Each message is tried many more times than the three retries an own failure gets.
        await Eventually.HoldsAsync(() => Task.FromResult(counters.TransientRetried >= 2 * 10), TimeSpan.FromSeconds(30),
            "ten transient retries per message while the database is unreachable");
        counters.DeadLettered.ShouldBe(0);
        counters.Retried.ShouldBe(0);
        (await deadLetters.CountAsync(scenario.Service, CancellationToken.None)).ShouldBe(0u);
        (await scenario.EffectsAsync()).ShouldBe(0);

        link.Restore();

        await scenario.WaitForEffectsAsync(2, TimeSpan.FromSeconds(30));
        await Task.Delay(500, Cancellation);
        foreach (var thing in things)
        {
            (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
        }

        counters.DeadLettered.ShouldBe(0);
        TestContext.Current.TestOutputHelper?.WriteLine(counters.ToString());
    }
}
