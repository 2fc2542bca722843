using System.Reflection;
using System.Text.Json;
using Stampede.Cli.Processes;
using Stampede.Cli.Servers;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Services;

public sealed record DashboardPorts(int Ui, int OtlpGrpc, int OtlpHttp)
{
    public static readonly DashboardPorts Default = new(18888, 18889, 18890);

    public IReadOnlyList<int> All => [Ui, OtlpGrpc, OtlpHttp];

    public DashboardPorts Shift(int by) => new(Ui + by, OtlpGrpc + by, OtlpHttp + by);
}

/// <summary>
/// The Aspire dashboard (traces, metrics, structured logs over OTLP), run from the NuGet package the CLI's
/// build restored (Aspire.Dashboard.Sdk.linux-x64), anonymous, on loopback.
/// </summary>
public sealed class Dashboard(Instance instance)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    public const string Name = "dashboard";

    public ManagedProcess Process { get; } = instance.Process(Name);

    private string PortsFile => Path.Combine(instance.Folder, "dashboard-ports.json");

    /// <summary>The defaults, unless they were taken when it last started.</summary>
    public DashboardPorts Ports =>
        File.Exists(PortsFile) && JsonSerializer.Deserialize<DashboardPorts>(File.ReadAllText(PortsFile)) is { } recorded ? recorded : DashboardPorts.Default;

    public string Url => $"http://localhost:{Ports.Ui}";

    /// <summary>Where services send telemetry: OTLP over gRPC.</summary>
    public string OtlpEndpoint => $"http://127.0.0.1:{Ports.OtlpGrpc}";

    /// <summary>The program inside the package, in the packages folder the CLI was built with.</summary>
    public static string Program =>
        Path.Combine(
            typeof(Dashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspireDashboardFolder").Value!,
            "Aspire.Dashboard");

    public Startable ToStartable() => new(Name, Url, Ports.All, Process, StartAsync, IsReadyAsync);

    /// <summary>Before a start with the dashboard stopped: moves off ports someone else holds.</summary>
    public string? ChoosePorts()
    {
        var listening = Processes.Ports.ListeningPorts();
        if (!Ports.All.Any(listening.Contains))
        {
            return null;
        }

        for (var shift = 10; shift <= 500; shift += 10)
        {
            var candidate = DashboardPorts.Default.Shift(shift);
            if (!candidate.All.Any(listening.Contains))
            {
                Directory.CreateDirectory(instance.Folder);
                File.WriteAllText(PortsFile, JsonSerializer.Serialize(candidate));
                return $"The dashboard's ports were taken; it uses {string.Join(", ", candidate.All)} instead (kept in {PortsFile}).";
            }
        }

        return null;
    }

    private async Task StartAsync(CancellationToken ct)
    {
        var program = Program;
        if (!File.Exists(program))
        {
            throw new UserFacingException(
                $"The Aspire dashboard is missing at {program}: restore the CLI (dotnet restore src/Tools/Stampede.Cli), or run `up --no-dashboard`.");
        }

        var spec = new LaunchSpec(program, [], Path.GetDirectoryName(program)!)
        {
            Environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Ui}",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = OtlpEndpoint,
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{Ports.OtlpHttp}",
                // Local development only: loopback, no login, no API key.
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
                ["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            },
        };
        await Process.StartAsync(spec, ct);
    }

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Http.GetAsync($"http://127.0.0.1:{Ports.Ui}/", ct);
            // The UI answers its root with a redirect to a page; anything but a server error means it is serving.
            return (int)response.StatusCode < 500;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public Task<bool> StopAsync() => Process.StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(10));
}
