using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>One server of a private instance: PostgreSQL, Redis or RabbitMQ.</summary>
public interface IServer
{
    string Name { get; }

    /// <summary>The port clients use.</summary>
    int Port { get; }

    /// <summary>Every port the server (and its helpers) listen on.</summary>
    IReadOnlyList<int> Ports { get; }

    ManagedProcess Process { get; }

    Task StartAsync(CancellationToken ct);

    Task<bool> IsReadyAsync(CancellationToken ct);

    /// <summary>Stops the server; true when something was running.</summary>
    Task<bool> StopAsync();
}
