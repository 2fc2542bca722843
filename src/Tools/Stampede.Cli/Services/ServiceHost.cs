using Stampede.Cli.Processes;
using Stampede.Cli.Servers;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Services;

/// <summary>Runs one instance of a built service as a detached `dotnet &lt;dll&gt;` process.</summary>
/// <param name="system">Every instance of every service (the peers' addresses).</param>
/// <param name="otlpEndpoint">Where to send telemetry, when the dashboard runs.</param>
public sealed class ServiceHost(ServiceDefinition service, IReadOnlyList<ServiceDefinition> system, ServerSet servers, string configuration, string? otlpEndpoint)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    public ServiceDefinition Service => service;

    public ManagedProcess Process { get; } = servers.Instance.Process(service.InstanceName);

    private int? lastHealth;

    public Startable ToStartable() =>
        new(service.InstanceName, service.Url, [service.Port], Process, StartAsync, async ct => await HealthAsync(ct) == 200)
        {
            LastProbe = () => lastHealth is { } code ? $"GET /health/ready answered {code}" : "GET /health/ready got no answer",
        };

    public async Task StartAsync(CancellationToken ct)
    {
        var assembly = service.AssemblyPath(configuration);
        if (!File.Exists(assembly))
        {
            throw new UserFacingException($"{service.InstanceName} is not built: {assembly} is missing. Did the build skip {service.Project}?");
        }

        if (service.HasDatabase)
        {
            await servers.Postgres.EnsureDatabaseAsync(service.Database, ct);
        }

        var spec = new LaunchSpec(Environment.ProcessPath ?? "dotnet", [assembly], service.ProjectFolder)
        {
            Environment = ServiceEnvironment.For(service, system, ServerAddresses.Of(servers.Instance), otlpEndpoint),
        };
        await Process.StartAsync(spec, ct);
    }

    /// <summary>The status code of /health/ready, or null when nothing answers.</summary>
    public async Task<int?> HealthAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Http.GetAsync(service.ReadinessUrl, ct);
            return lastHealth = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return lastHealth = null;
        }
    }

    public Task<bool> StopAsync() => Process.StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(15));
}
