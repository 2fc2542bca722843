using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Stampede.Messaging;

/// <summary>The service's one connection to RabbitMQ. The first connect is retried until the broker
/// answers; after that the client's automatic recovery reconnects and re-declares queues, bindings
/// and consumers on its own when the broker restarts.</summary>
internal sealed class BrokerConnection(IOptions<MessagingOptions> options, ILogger<BrokerConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private IConnection? connection;

    /// <summary>True while the connection is up (false before the first connect and during recovery).</summary>
    public bool IsOpen => connection?.IsOpen == true;

    /// <summary>The connection, connecting first if needed; waits and retries while the broker is unreachable.</summary>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await ConnectOnceAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("RabbitMQ is unreachable ({Error}); retrying in {Delay}", ex.Message, options.Value.ReconnectInterval);
                await Task.Delay(options.Value.ReconnectInterval, cancellationToken);
            }
        }
    }

    /// <summary>The connection, connecting first if needed; throws at once when the broker is unreachable.</summary>
    public async Task<IConnection> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        if (connection is { } existing)
        {
            return existing;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (connection is null)
            {
                connection = await CreateFactory(options.Value).CreateConnectionAsync(options.Value.ServiceName, cancellationToken);
                logger.LogInformation("Connected to RabbitMQ at {Endpoint}", connection.Endpoint);
            }

            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    internal static ConnectionFactory CreateFactory(MessagingOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BrokerUri))
        {
            throw new InvalidOperationException("ConnectionStrings:RabbitMQ is not set (an amqp:// URI).");
        }

        return new ConnectionFactory
        {
            Uri = new Uri(options.BrokerUri),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = options.ReconnectInterval,
            RequestedHeartbeat = TimeSpan.FromSeconds(20),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is { } open)
        {
            try
            {
                await open.CloseAsync();
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Closing the RabbitMQ connection failed");
            }

            await open.DisposeAsync();
        }

        gate.Dispose();
    }
}
