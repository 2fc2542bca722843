using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Broker;

public sealed class ConsumerRecoveryTests
{
    [Fact]
    public async Task A_subscription_whose_queue_was_deleted_declares_it_again_and_keeps_consuming()
    {
        await using var scenario = await MessagingScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await using (var connection = await new ConnectionFactory { Uri = new Uri(scenario.BrokerUri) }.CreateConnectionAsync(TestContext.Current.CancellationToken))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            await channel.QueueDeleteAsync(scenario.Queue, cancellationToken: TestContext.Current.CancellationToken);
        }

        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy,
            TimeSpan.FromSeconds(30), "readiness notices the cancelled consumer");
        await MessagingScenario.WaitUntilConsumingAsync(host);
        var thing = await scenario.CommitThingAsync(host, 1);

        await scenario.WaitForEffectsAsync(1);
        (await scenario.EffectsOfAsync(thing.EventId)).ShouldBe(1);
    }
}
