namespace Stampede.Cli.Servers;

/// <summary>
/// Servers to run something against: the dev instance when `./stampede up` (or `servers start`) has it
/// running, otherwise a private `bench` instance started now and stopped on dispose.
/// </summary>
public sealed class ServerLease : IAsyncDisposable
{
    private readonly Instance instance;
    private readonly ServerSet? owned;

    private ServerLease(Instance instance, ServerSet? owned)
    {
        this.instance = instance;
        this.owned = owned;
    }

    /// <summary>Npgsql connection string without Database=; the user is a superuser.</summary>
    public string Postgres => instance.PostgresConnectionString;

    /// <summary>host:port.</summary>
    public string Redis => instance.RedisAddress;

    /// <summary>amqp:// URI with credentials.</summary>
    public string RabbitMq => instance.RabbitMqUri;

    /// <summary>Which instance is in use ("dev" or "bench").</summary>
    public string InstanceName => instance.Name;

    public static async Task<ServerLease> AcquireAsync(CancellationToken ct)
    {
        var dev = new ServerSet(Instance.Dev);
        if (await dev.AreReadyAsync(ct))
        {
            return new ServerLease(Instance.Dev, owned: null);
        }

        await ServerPackages.EnsureInstalledAsync(ct);
        var bench = new ServerSet(Instance.Bench);
        await bench.StartAsync(ct);
        return new ServerLease(Instance.Bench, bench);
    }

    public async ValueTask DisposeAsync()
    {
        if (owned is not null)
        {
            await owned.StopAsync();
        }
    }
}
