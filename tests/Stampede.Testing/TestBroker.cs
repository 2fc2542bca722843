using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Stampede.Contracts;
using Stampede.Messaging;

namespace Stampede.Testing;

/// <summary>The test's own connection to the real broker: publishes the events a service's neighbours
/// would (StockReserved, PaymentCaptured, ...) to the test's exchange, and records every event that
/// crosses that exchange, the service's own included, through a queue bound to all of it.</summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string EventName, byte[] Body)> seen = new();
    private readonly IConnection connection;
    private readonly IChannel publishing;
    private readonly IChannel recording;
    private readonly SemaphoreSlim publishGate = new(1, 1);

    private TestBroker(string exchange, IConnection connection, IChannel publishing, IChannel recording)
    {
        Exchange = exchange;
        this.connection = connection;
        this.publishing = publishing;
        this.recording = recording;
    }

    public string Exchange { get; }

    public static async Task<TestBroker> StartAsync(string uri, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync("stampede-tests");
        var publishing = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var recording = await connection.CreateChannelAsync();
        await recording.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await recording.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await recording.QueueBindAsync(queue.QueueName, exchange, "#");

        var broker = new TestBroker(exchange, connection, publishing, recording);
        var consumer = new AsyncEventingBasicConsumer(recording);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            broker.seen.Enqueue((delivery.BasicProperties.Type ?? delivery.RoutingKey, delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        await recording.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return broker;
    }

    /// <summary>Publishes an event the way the messaging building block does (message id = event id,
    /// type = wire name, routed by wire name) and waits for the broker's confirm.</summary>
    public async Task PublishAsync<TEvent>(TEvent @event) where TEvent : IntegrationEvent
    {
        var eventName = EventNames.Of<TEvent>();
        var properties = new BasicProperties
        {
            MessageId = @event.EventId.ToString(),
            Type = eventName,
            AppId = "stampede-tests",
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(@event, MessagingJson.Options);
        await publishGate.WaitAsync();
        try
        {
            await publishing.BasicPublishAsync(Exchange, eventName, mandatory: false, properties, body);
        }
        finally
        {
            publishGate.Release();
        }
    }

    /// <summary>Every <typeparamref name="TEvent"/> seen so far (published by anyone on the test's exchange).</summary>
    public IReadOnlyList<TEvent> Seen<TEvent>(Func<TEvent, bool>? where = null) where TEvent : IntegrationEvent
    {
        var eventName = EventNames.Of<TEvent>();
        return [.. seen.Where(message => message.EventName == eventName)
            .Select(message => JsonSerializer.Deserialize<TEvent>(message.Body, MessagingJson.Options)!)
            .Where(@event => where?.Invoke(@event) ?? true)];
    }

    public async Task<TEvent> WaitForAsync<TEvent>(Func<TEvent, bool> where, TimeSpan? timeout = null) where TEvent : IntegrationEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (Seen(where) is [var first, ..]) return first;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {typeof(TEvent).Name} matching the condition arrived in time.");
            await Task.Delay(25);
        }
    }

    /// <summary>Deletes the queues and exchanges a service named <paramref name="serviceName"/> declared
    /// for its subscriptions, so test runs leave nothing behind on the shared broker.</summary>
    public async Task DeleteServiceTopologyAsync(string serviceName, IEnumerable<string> eventNames, IEnumerable<TimeSpan> retryDelays)
    {
        // The retry queues of transient failures too, at their default delays unless the caller names its own.
        retryDelays = [.. retryDelays, .. new MessagingOptions().TransientRetryDelays];
        await using var channel = await connection.CreateChannelAsync();
        foreach (var eventName in eventNames)
        {
            var queue = $"{serviceName}.{eventName}";
            foreach (var delay in retryDelays.Distinct()) await channel.QueueDeleteAsync(Topology.RetryQueue(queue, delay));
            await channel.QueueDeleteAsync(queue);
        }

        await channel.QueueDeleteAsync(Topology.DeadLetterQueue(serviceName));
        await channel.ExchangeDeleteAsync(Topology.DeadLetterExchange(serviceName));
        await channel.ExchangeDeleteAsync(Exchange);
    }

    public async ValueTask DisposeAsync()
    {
        await recording.CloseAsync();
        await publishing.CloseAsync();
        await connection.CloseAsync();
        await connection.DisposeAsync();
        publishGate.Dispose();
    }
}
