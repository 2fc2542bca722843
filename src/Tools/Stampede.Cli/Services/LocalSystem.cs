using System.Text.Json;
using Stampede.Cli.Servers;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Services;

/// <summary>What `up` chose, recorded so `status` and `down` (other processes) see the same system.</summary>
public sealed record LaunchChoices(IReadOnlyDictionary<string, int> Replicas, bool Dashboard)
{
    public static readonly LaunchChoices Default = new(new Dictionary<string, int>(), Dashboard: true);

    public static string FileOf(Instance instance) => Path.Combine(instance.Folder, "launch.json");

    public static LaunchChoices Load(Instance instance) =>
        File.Exists(FileOf(instance)) && JsonSerializer.Deserialize<LaunchChoices>(File.ReadAllText(FileOf(instance))) is { } recorded ? recorded : Default;

    public void Save(Instance instance)
    {
        Directory.CreateDirectory(instance.Folder);
        File.WriteAllText(FileOf(instance), JsonSerializer.Serialize(this));
    }
}

/// <summary>Everything `up` runs for an instance: the dashboard, its servers, and every instance of every service.</summary>
public sealed class LocalSystem
{
    public LocalSystem(Instance instance, string configuration, LaunchChoices choices)
    {
        Choices = choices;
        Servers = new ServerSet(instance);
        Dashboard = new Dashboard(instance);
        var otlp = choices.Dashboard ? Dashboard.OtlpEndpoint : null;
        var definitions = ServiceCatalog.WithReplicas(ServiceCatalog.All, new Replicas(choices.Replicas));
        Services = definitions.Select(s => new ServiceHost(s, definitions, Servers, configuration, otlp)).ToList();
    }

    /// <summary>What `status` and `down` work on: the system the last `up` started.</summary>
    public static LocalSystem Dev() => Dev(LaunchChoices.Load(Instance.Dev));

    /// <summary>What `up` starts.</summary>
    public static LocalSystem Dev(LaunchChoices choices) => new(Instance.Dev, DevConfiguration, choices);

    public const string DevConfiguration = "Release";

    public LaunchChoices Choices { get; }

    public ServerSet Servers { get; }

    public Dashboard Dashboard { get; }

    public IReadOnlyList<ServiceHost> Services { get; }

    public Instance Instance => Servers.Instance;

    /// <summary>The dashboard and servers first (services export telemetry from their first line), then services and
    /// simulators together, then the gateway (its readiness needs them).</summary>
    public IReadOnlyList<IReadOnlyList<Startable>> StartWaves() =>
    [
        [.. Choices.Dashboard ? [Dashboard.ToStartable()] : Array.Empty<Startable>(), .. Servers.Startables],
        Services.Where(s => s.Service.Kind != ServiceKind.Gateway).Select(s => s.ToStartable()).ToList(),
        Services.Where(s => s.Service.Kind == ServiceKind.Gateway).Select(s => s.ToStartable()).ToList(),
    ];

    public bool AnyRunning => Servers.AnyRunning || Dashboard.Process.Running() is not null || Services.Any(s => s.Process.Running() is not null);

    public async Task<bool> IsFullyUpAsync(CancellationToken ct)
    {
        if (!await Servers.AreReadyAsync(ct) || (Choices.Dashboard && !await Dashboard.IsReadyAsync(ct)))
        {
            return false;
        }

        var health = await Task.WhenAll(Services.Select(s => s.HealthAsync(ct)));
        return health.All(code => code == 200);
    }

    /// <summary>Stops services (gateway first), then servers and the dashboard; only the named ones when given. Returns what was running.</summary>
    public async Task<IReadOnlyList<string>> StopAsync(IEnumerable<string>? only = null)
    {
        var names = only?.ToHashSet();
        var stopped = new List<string>();
        foreach (var service in Services.Reverse().Where(s => names is null || names.Contains(s.Service.InstanceName)))
        {
            if (await service.StopAsync())
            {
                stopped.Add(service.Service.InstanceName);
            }
        }

        var serverNames = Servers.All.Select(s => s.Name).Where(n => names is null || names.Contains(n)).ToList();
        if (serverNames.Count > 0)
        {
            stopped.AddRange(await Servers.StopAsync(serverNames));
        }

        // Last, so it still receives the services' final telemetry; stopped even when `up` ran without it this time.
        if ((names is null || names.Contains(Dashboard.Name)) && await Dashboard.StopAsync())
        {
            stopped.Add(Dashboard.Name);
        }

        return stopped;
    }

    /// <summary>Every port this system listens on, for the "nothing left behind" check.</summary>
    public IEnumerable<int> AllPorts =>
        Instance.Ports.All.Concat(Services.Select(s => s.Service.Port)).Concat(Choices.Dashboard ? Dashboard.Ports.All : []);
}
