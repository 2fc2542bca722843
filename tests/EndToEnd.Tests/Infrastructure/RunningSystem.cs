using System.Diagnostics;
using System.Reflection;
using Npgsql;
using Stampede.Cli;
using Stampede.Cli.Audit;
using Stampede.Cli.Api;
using Stampede.Cli.Processes;
using Stampede.Cli.Services;
using Stampede.Messaging;
using Stampede.Testing;

namespace Stampede.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole system as real processes (the launcher's service list, environment and process handling),
/// on ports shifted away from `./stampede up`, with databases, exchange and queue names of its own,
/// against the test servers. Stops everything it started, also when the start fails.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly string runId = Guid.NewGuid().ToString("N")[..8];
    private readonly IReadOnlyList<ServiceDefinition> services;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> overrides;
    private readonly ServerAddresses servers = new(TestServers.Postgres, TestServers.Redis, TestServers.RabbitMq);
    private readonly Dictionary<string, ManagedProcess> processes = [];
    private readonly string folder;

    private RunningSystem(int portOffset, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> overrides, Replicas replicas)
    {
        this.overrides = overrides;
        // Instances of one service share its database and its queues (competing consumers), as under `up --replicas`.
        services = ServiceCatalog.WithReplicas(
            [.. ServiceCatalog.WithPortOffset(portOffset).Select(s => s with { Database = $"e2e_{runId}_{s.Name.Replace('-', '_')}" })],
            replicas);
        folder = Path.Combine(Path.GetTempPath(), "stampede-e2e", runId);
    }

    public string GatewayUrl => Service("gateway").Url;

    public string PgSimulatorUrl => Service("pg-sim").Url;

    /// <summary>One instance by its process name: `ordering` (the first) or `ordering-2`.</summary>
    public ServiceDefinition Service(string name) => services.Single(s => s.InstanceName == name);

    /// <summary>Every instance's process name, e.g. ordering, ordering-2.</summary>
    public IReadOnlyList<string> InstanceNames => [.. services.Select(s => s.InstanceName)];

    /// <summary>Starts identity, then the other services and the PG simulator together, then the gateway;
    /// each wave waits for /health/ready.</summary>
    /// <param name="overrides">Extra environment per service name (e.g. a short payment deadline for ordering).</param>
    /// <param name="replicas">Instances per service (one each when null).</param>
    public static async Task<RunningSystem> StartAsync(
        int portOffset, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> overrides, Replicas? replicas = null)
    {
        var system = new RunningSystem(portOffset, overrides, replicas ?? Replicas.One);
        try
        {
            system.CheckBuilt();
            Ports.EnsureFree(system.services.Select(s => s.Port), "the end-to-end test system");
            await system.StartWaveAsync(s => s.Name == "identity");
            await system.StartWaveAsync(s => s.Name != "identity" && s.Kind != ServiceKind.Gateway);
            await system.StartWaveAsync(s => s.Kind == ServiceKind.Gateway);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining, as if the machine lost the process.</summary>
    public void Kill(string name)
    {
        var entry = processes[name].Running() ?? throw new InvalidOperationException($"{name} is not running.");
        foreach (var member in ProcessTable.Family(entry.Pid))
        {
            ProcessTable.Signal(member.Pid, ProcessTable.SigKill);
        }
    }

    public async Task RestartAsync(string name)
    {
        var service = Service(name);
        await processes[name].StopAsync(ProcessTable.SigKill, TimeSpan.FromSeconds(5));
        await StartAsync(service);
        await WaitReadyAsync(service);
    }

    public bool IsRunning(string name) => processes[name].Running() is not null;

    /// <summary>`./stampede audit` against this system: its admin views through the gateway and the
    /// dead letters of its consuming services.</summary>
    public async Task<AuditReport> AuditAsync(TimeSpan grace, CancellationToken ct = default)
    {
        using var http = StampedeApi.CreateHttpClient(GatewayUrl);
        var admin = new StampedeApi(http, new ApiStatistics());
        await admin.LoginAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword, ct);
        await using var queue = await DeadLetterQueue.ConnectAsync(servers.RabbitMq, ct);
        var consumers = services.Where(s => s.Kind == ServiceKind.Service && s.Name != "gateway").Select(MessagingName).ToList();
        return await SystemAudit.RunAsync(admin, (queue, consumers), grace, TimeProvider.System, ct);
    }

    public string LogTail(string name, int lines = 30) => processes.TryGetValue(name, out var process) ? process.Tail(lines) : "(not started)";

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services.Reverse().Where(s => processes.ContainsKey(s.InstanceName)))
        {
            await processes[service.InstanceName].StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(10));
        }

        await DropDatabasesAsync();
        await BrokerCleanup.DeleteAsync(servers.RabbitMq, Exchange, services.Select(MessagingName).Distinct());
        DeleteOldRunFolders();
    }

    private string Exchange => $"stampede.e2e.{runId}";

    private string MessagingName(ServiceDefinition service) => $"{service.Name}-e2e-{runId}";

    /// <summary>Logs stay for an hour after a run, to read after a failure.</summary>
    private void DeleteOldRunFolders()
    {
        if (!Directory.Exists(Path.GetDirectoryName(folder)))
        {
            return;
        }

        foreach (var old in new DirectoryInfo(Path.GetDirectoryName(folder)!).EnumerateDirectories()
            .Where(d => d.FullName != folder && d.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)))
        {
            try
            {
                old.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Another run may be using it.
            }
        }
    }

    private static string Configuration =>
        typeof(RunningSystem).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private void CheckBuilt()
    {
        var missing = services.Select(s => s.AssemblyPath(Configuration)).Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The end-to-end tests run the built services, but these are missing ({Configuration}): {string.Join(", ", missing)}. " +
                $"Build first: dotnet build Stampede.sln -c {Configuration} (./stampede test does).");
        }
    }

    private async Task StartWaveAsync(Func<ServiceDefinition, bool> which)
    {
        var wave = services.Where(which).ToList();
        foreach (var service in wave)
        {
            await StartAsync(service);
        }

        await Task.WhenAll(wave.Select(WaitReadyAsync));
    }

    private async Task StartAsync(ServiceDefinition service)
    {
        var environment = ServiceEnvironment.For(service, services, servers);
        // Queues and exchange of this run only, so other runs and test projects on the broker never take its events.
        environment["Messaging__Exchange"] = Exchange;
        environment["Messaging__ServiceName"] = MessagingName(service);
        if (service.Kind == ServiceKind.Gateway)
        {
            // Hundreds of orders from one test machine in a second are the point here, not abuse.
            environment["Gateway__RateLimits__PerIp__Permits"] = "0";
            environment["Gateway__RateLimits__PerUser__Permits"] = "0";
            environment["Gateway__RateLimits__KeyPrefix"] = $"gateway:ratelimit:e2e:{runId}";
        }

        foreach (var (key, value) in overrides.GetValueOrDefault(service.Name) ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var name = service.InstanceName;
        var process = processes.TryGetValue(name, out var known)
            ? known
            : processes[name] = new ManagedProcess(name, Path.Combine(folder, $"{name}.pid"), Path.Combine(folder, $"{name}.log"));
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        await process.StartAsync(new LaunchSpec(dotnet, [service.AssemblyPath(Configuration)], service.ProjectFolder) { Environment = environment },
            CancellationToken.None);
    }

    private async Task WaitReadyAsync(ServiceDefinition service)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < ReadyTimeout)
        {
            if (!IsRunning(service.InstanceName))
            {
                throw new InvalidOperationException(
                    $"{service.InstanceName} exited while starting. Its log ({processes[service.InstanceName].LogFile}):\n{LogTail(service.InstanceName)}");
            }

            try
            {
                using var response = await Probe.GetAsync(service.ReadinessUrl);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"{service.InstanceName} was not ready within {ReadyTimeout.TotalSeconds:0} s ({service.ReadinessUrl} last said {last}). Its log:\n{LogTail(service.InstanceName)}");
    }

    private async Task DropDatabasesAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(servers.PostgresFor("postgres"));
            await connection.OpenAsync();
            foreach (var service in services.Where(s => s.HasDatabase).DistinctBy(s => s.Database))
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{service.Database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // Leftover databases of a test run are harmless; the test servers are thrown away.
        }
    }

    public override string ToString() => $"e2e run {runId} (gateway {GatewayUrl}, logs in {folder}, repository {Repository.Root})";
}
