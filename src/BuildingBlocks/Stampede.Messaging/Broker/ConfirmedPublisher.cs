using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Stampede.Messaging;

/// <summary>Publishes on one channel with publisher confirms: a publish completes only once the
/// broker has taken responsibility for the message (written to its queues), and throws otherwise.
/// Many publishes may be in flight at once on the channel. Publishes are mandatory unless told
/// otherwise: a message no queue is bound for comes back (basic.return) as an <see cref="UnroutableMessageException"/>
/// instead of being confirmed and dropped.</summary>
internal sealed class ConfirmedPublisher(BrokerConnection broker, IOptions<MessagingOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private IChannel? channel;

    /// <summary>Publishes and waits for the broker's confirm (bounded by <see cref="MessagingOptions.ConfirmTimeout"/>).</summary>
    public Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken) =>
        PublishAsync(exchange, routingKey, properties, body, mandatory: true, cancellationToken);

    /// <summary>As above; with <paramref name="mandatory"/> false a message no queue takes is confirmed and dropped.</summary>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        bool mandatory, CancellationToken cancellationToken)
    {
        var open = await ChannelAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ConfirmTimeout);
        try
        {
            await open.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, timeout.Token);
        }
        catch (PublishReturnException returned)
        {
            throw new UnroutableMessageException(exchange, routingKey, returned.ReplyText);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"RabbitMQ did not confirm a message to '{exchange}/{routingKey}' within {options.Value.ConfirmTimeout}.");
        }
    }

    private async ValueTask<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true } current)
        {
            return current;
        }

        var connection = await broker.ConnectOnceAsync(cancellationToken);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (channel is { IsOpen: true } raced)
            {
                return raced;
            }

            // A channel the broker closed for an error stays closed; one that is down with the
            // connection comes back with recovery, so only the first kind is replaced.
            if (!connection.IsOpen)
            {
                throw new AlreadyClosedException(connection.CloseReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "connection is recovering"));
            }

            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            await Topology.DeclareEventsExchangeAsync(channel, options.Value.Exchange, cancellationToken);
            return channel;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (channel is not null)
        {
            await channel.DisposeAsync();
        }

        gate.Dispose();
    }
}
