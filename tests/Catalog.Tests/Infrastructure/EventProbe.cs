using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Stampede.Contracts;
using Stampede.Messaging;

namespace Stampede.Catalog.Tests.Infrastructure;

/// <summary>A throwaway queue on the test's exchange that records every event of one kind the
/// service publishes, as another service would receive it.</summary>
public sealed class EventProbe<TEvent> : IAsyncDisposable where TEvent : IntegrationEvent
{
    private readonly ConcurrentQueue<TEvent> received = new();
    private IConnection? connection;
    private IChannel? channel;

    public IReadOnlyCollection<TEvent> Received => received;

    public static async Task<EventProbe<TEvent>> StartAsync(string brokerUri, string exchange)
    {
        var probe = new EventProbe<TEvent>();
        probe.connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        probe.channel = await probe.connection.CreateChannelAsync();
        await probe.channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await probe.channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await probe.channel.QueueBindAsync(queue.QueueName, exchange, EventNames.Of<TEvent>());
        var consumer = new AsyncEventingBasicConsumer(probe.channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (JsonSerializer.Deserialize<TEvent>(delivery.Body.Span, MessagingJson.Options) is { } @event) probe.received.Enqueue(@event);
            return Task.CompletedTask;
        };
        await probe.channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return probe;
    }

    public async Task<TEvent> WaitForAsync(Func<TEvent, bool> match, string what)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(received.Any(match)), what);
        return received.First(match);
    }

    public async ValueTask DisposeAsync()
    {
        if (channel is not null) await channel.DisposeAsync();
        if (connection is not null) await connection.DisposeAsync();
    }
}
