using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Stampede.Contracts;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Messaging;
using Stampede.Testing;

namespace Stampede.Inventory.Tests.Support;

/// <summary>Plays ordering on the real broker: publishes order events through the messaging block's
/// own publisher to the test's exchange, and records every event inventory publishes there.</summary>
public sealed class EventBus : IAsyncDisposable
{
    private static readonly Dictionary<string, Type> InventoryEvents = new[]
    {
        typeof(StockReserved), typeof(StockRejected), typeof(StockAvailabilityChanged), typeof(StockCommitFailed),
    }.ToDictionary(EventNames.Of);

    private readonly ConcurrentQueue<IntegrationEvent> received = new();
    private readonly string exchange;
    private IHost? publisherHost;
    private IConnection? connection;
    private IChannel? channel;

    public EventBus(string exchange) => this.exchange = exchange;

    public IEventPublisher Publisher => publisherHost!.Services.GetRequiredService<IEventPublisher>();

    public static async Task<EventBus> StartAsync(string exchange)
    {
        var bus = new EventBus(exchange);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Configuration["ConnectionStrings:RabbitMQ"] = TestServers.RabbitMq;
        builder.Configuration["Messaging:Exchange"] = exchange;
        builder.AddMessaging("inventory-tests")
            .Publishes<OrderPlaced>().Publishes<OrderPaid>().Publishes<OrderExpired>().Publishes<OrderFailed>().Publishes<OrderCancelled>();
        bus.publisherHost = builder.Build();
        await bus.publisherHost.StartAsync();

        bus.connection = await new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq) }.CreateConnectionAsync("inventory-tests capture");
        bus.channel = await bus.connection.CreateChannelAsync();
        await bus.channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await bus.channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await bus.channel.QueueBindAsync(queue.QueueName, exchange, "inventory.#");
        var consumer = new AsyncEventingBasicConsumer(bus.channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (delivery.BasicProperties.Type is { } name && InventoryEvents.TryGetValue(name, out var type)
                && JsonSerializer.Deserialize(delivery.Body.Span, type, MessagingJson.Options) is IntegrationEvent @event)
            {
                bus.received.Enqueue(@event);
            }

            return Task.CompletedTask;
        };
        await bus.channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return bus;
    }

    public Task PublishAsync<TEvent>(TEvent @event) where TEvent : IntegrationEvent => Publisher.PublishAsync(@event, CancellationToken.None);

    /// <summary>Events of <typeparamref name="TEvent"/> received so far.</summary>
    public IReadOnlyList<TEvent> Received<TEvent>() where TEvent : IntegrationEvent => [.. received.OfType<TEvent>()];

    /// <summary>Waits until at least <paramref name="count"/> received events of the type match.</summary>
    public async Task<IReadOnlyList<TEvent>> WaitForAsync<TEvent>(Func<TEvent, bool> match, int count = 1, TimeSpan? timeout = null)
        where TEvent : IntegrationEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var matching = Received<TEvent>().Where(match).ToList();
            if (matching.Count >= count) return matching;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Saw {matching.Count} of {count} {typeof(TEvent).Name} event(s) in time.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (channel is not null)
        {
            // The exchange is this test class's own; deleting it also drops the service queues' bindings to it.
            await channel.ExchangeDeleteAsync(exchange);
            await channel.CloseAsync();
            await channel.DisposeAsync();
        }

        if (connection is not null)
        {
            await connection.CloseAsync();
            await connection.DisposeAsync();
        }

        if (publisherHost is not null)
        {
            await publisherHost.StopAsync();
            publisherHost.Dispose();
        }
    }
}
