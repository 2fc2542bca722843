using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Stampede.Messaging;

/// <summary>Starts one consumer per declared subscription once the broker is reachable, declaring
/// its queues first. The client's recovery keeps them consuming across broker restarts; a channel the
/// broker closed for an error (which recovery leaves closed), or a consumer the broker cancelled, is
/// replaced by a fresh consumer that declares its queues again.</summary>
internal sealed class MessageConsumers(
    IServiceProvider services,
    MessagingRegistry registry,
    BrokerConnection broker,
    ConfirmedPublisher publisher,
    IOutbox outbox,
    MessagingTelemetry telemetry,
    IOptions<MessagingOptions> options,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly SubscriptionConsumer?[] consumers = new SubscriptionConsumer?[registry.Subscriptions.Count];
    private readonly ILogger logger = loggerFactory.CreateLogger<MessageConsumers>();

    /// <summary>True when every subscription has an open consuming channel.</summary>
    public bool AllConsuming => consumers.All(consumer => consumer is { IsConsuming: true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Connect eagerly, so readiness reflects the broker even before anything is published.
            await broker.GetAsync(stoppingToken);
            if (consumers.Length == 0)
            {
                return;
            }

            var dataSource = services.GetService<NpgsqlDataSource>()
                ?? throw new InvalidOperationException(
                    $"Service '{registry.ServiceName}' handles events but registers no NpgsqlDataSource: handlers need a database for their inbox.");
            await RecordSubscriptionsAsync(dataSource, stoppingToken);
            for (var i = 0; i < consumers.Length; i++)
            {
                consumers[i] = await StartConsumerAsync(registry.Subscriptions[i], dataSource, stoppingToken);
            }

            await WatchAsync(dataSource, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WatchAsync(NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        // Closed on two checks in a row while the connection is up: not a recovery in progress.
        var closedBefore = new bool[consumers.Length];
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(options.Value.ReconnectInterval.Ticks, TimeSpan.TicksPerSecond)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            for (var i = 0; i < consumers.Length; i++)
            {
                var closed = consumers[i] is { IsConsuming: false } && broker.IsOpen;
                if (closed && closedBefore[i])
                {
                    logger.LogWarning("Subscription {Queue} lost its channel; starting it again", registry.Subscriptions[i].Queue);
                    await consumers[i]!.StopAsync();
                    consumers[i] = await StartConsumerAsync(registry.Subscriptions[i], dataSource, stoppingToken);
                    closed = false;
                }

                closedBefore[i] = closed;
            }
        }
    }

    private async Task<SubscriptionConsumer> StartConsumerAsync(Subscription subscription, NpgsqlDataSource dataSource,
        CancellationToken stoppingToken)
    {
        while (true)
        {
            var consumer = new SubscriptionConsumer(subscription, options.Value, services, dataSource, outbox, publisher, telemetry,
                loggerFactory.CreateLogger($"{typeof(SubscriptionConsumer).FullName}.{subscription.Queue}"));
            try
            {
                await consumer.StartAsync(await broker.GetAsync(stoppingToken), stoppingToken);
                return consumer;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Subscription {Queue} could not start ({Error}); retrying in {Delay}",
                    subscription.Queue, ex.Message, options.Value.ReconnectInterval);
                await Task.Delay(options.Value.ReconnectInterval, stoppingToken);
            }
        }
    }

    private async Task RecordSubscriptionsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            foreach (var subscription in registry.Subscriptions)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO messaging.subscriptions (queue, service, event_name, handler) VALUES (@Queue, @Service, @EventName, @Handler)
                    ON CONFLICT (queue) DO UPDATE SET service = excluded.service, event_name = excluded.event_name,
                        handler = excluded.handler, declared_at = now()
                    """,
                    new { subscription.Queue, Service = registry.ServiceName, subscription.EventName, Handler = subscription.HandlerType.FullName },
                    cancellationToken: cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Could not record the subscriptions of {Service} ({Error})", registry.ServiceName, ex.Message);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var consumer in consumers)
        {
            if (consumer is not null)
            {
                await consumer.StopAsync();
            }
        }
    }
}
