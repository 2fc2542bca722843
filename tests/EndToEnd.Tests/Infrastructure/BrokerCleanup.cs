using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Stampede.Contracts;
using Stampede.Messaging;

namespace Stampede.EndToEnd.Tests.Infrastructure;

/// <summary>Deletes what one run's services declared on the broker: their subscription, retry and
/// dead-letter queues (named after each service's messaging name) and the run's events exchange.</summary>
public static class BrokerCleanup
{
    public static async Task DeleteAsync(string brokerUri, string exchange, IEnumerable<string> messagingNames)
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync("stampede-e2e-cleanup");
            var channel = await connection.CreateChannelAsync();
            var eventNames = typeof(IntegrationEvent).Assembly.GetTypes()
                .Where(t => t.IsSubclassOf(typeof(IntegrationEvent)) && !t.IsAbstract)
                .Select(EventNames.Of)
                .ToList();
            var retryDelays = new MessagingOptions().RetryDelays;
            foreach (var service in messagingNames)
            {
                foreach (var queue in eventNames.Select(name => $"{service}.{name}"))
                {
                    foreach (var delay in retryDelays)
                    {
                        channel = await DeleteQueueAsync(connection, channel, Topology.RetryQueue(queue, delay));
                    }

                    channel = await DeleteQueueAsync(connection, channel, queue);
                }

                channel = await DeleteQueueAsync(connection, channel, Topology.DeadLetterQueue(service));
                await channel.ExchangeDeleteAsync(Topology.DeadLetterExchange(service));
            }

            await channel.ExchangeDeleteAsync(exchange);
            await channel.CloseAsync();
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException)
        {
            // A leftover empty queue on the test broker is harmless; the test servers are thrown away.
        }
    }

    private static async Task<IChannel> DeleteQueueAsync(IConnection connection, IChannel channel, string queue)
    {
        try
        {
            await channel.QueueDeleteAsync(queue);
            return channel;
        }
        catch (OperationInterruptedException)
        {
            // Older brokers close the channel for a queue that does not exist.
            return await connection.CreateChannelAsync();
        }
    }
}
