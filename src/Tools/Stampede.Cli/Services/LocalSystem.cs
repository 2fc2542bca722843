using Stampede.Cli.Servers;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Services;

/// <summary>Everything `up` runs for an instance: its servers and every service of the catalog.</summary>
public sealed class LocalSystem
{
    public LocalSystem(Instance instance, string configuration)
    {
        Servers = new ServerSet(instance);
        Services = ServiceCatalog.All.Select(s => new ServiceHost(s, Servers, configuration)).ToList();
    }

    /// <summary>What `up`, `down` and `status` work on.</summary>
    public static LocalSystem Dev() => new(Instance.Dev, DevConfiguration);

    public const string DevConfiguration = "Release";

    public ServerSet Servers { get; }

    public IReadOnlyList<ServiceHost> Services { get; }

    public Instance Instance => Servers.Instance;

    /// <summary>Servers first, then services and simulators together, then the gateway (its readiness needs them).</summary>
    public IReadOnlyList<IReadOnlyList<Startable>> StartWaves() =>
    [
        Servers.Startables,
        Services.Where(s => s.Service.Kind != ServiceKind.Gateway).Select(s => s.ToStartable()).ToList(),
        Services.Where(s => s.Service.Kind == ServiceKind.Gateway).Select(s => s.ToStartable()).ToList(),
    ];

    public bool AnyRunning => Servers.AnyRunning || Services.Any(s => s.Process.Running() is not null);

    public async Task<bool> IsFullyUpAsync(CancellationToken ct)
    {
        if (!await Servers.AreReadyAsync(ct))
        {
            return false;
        }

        var health = await Task.WhenAll(Services.Select(s => s.HealthAsync(ct)));
        return health.All(code => code == 200);
    }

    /// <summary>Stops services (gateway first), then servers; only the named ones when given. Returns what was running.</summary>
    public async Task<IReadOnlyList<string>> StopAsync(IEnumerable<string>? only = null)
    {
        var names = only?.ToHashSet();
        var stopped = new List<string>();
        foreach (var service in Services.Reverse().Where(s => names is null || names.Contains(s.Service.Name)))
        {
            if (await service.StopAsync())
            {
                stopped.Add(service.Service.Name);
            }
        }

        var serverNames = Servers.All.Select(s => s.Name).Where(n => names is null || names.Contains(n)).ToList();
        if (serverNames.Count > 0)
        {
            stopped.AddRange(await Servers.StopAsync(serverNames));
        }

        return stopped;
    }

    /// <summary>Every port this system listens on, for the "nothing left behind" check.</summary>
    public IEnumerable<int> AllPorts => Instance.Ports.All.Concat(Services.Select(s => s.Service.Port));
}
