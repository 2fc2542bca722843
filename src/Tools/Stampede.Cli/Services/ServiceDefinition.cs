using System.Text.RegularExpressions;

namespace Stampede.Cli.Services;

public enum ServiceKind
{
    /// <summary>A business service behind the gateway, with its own database.</summary>
    Service,

    /// <summary>The edge: routes /api/{service}/... to every <see cref="Service"/>.</summary>
    Gateway,

    /// <summary>A stand-in for the outside world (PG, courier): no database, not routed.</summary>
    Simulator,
}

/// <summary>One process `up` runs: which project, which port, what extra settings.</summary>
public sealed partial record ServiceDefinition(string Name, string Project, int Port, ServiceKind Kind = ServiceKind.Service)
{
    /// <summary>Ports between two instances of one service: small, so replicas stay clear of the e2e port offsets (+1000, +1050, ...).</summary>
    public const int ReplicaPortStep = 10;

    /// <summary>At most this many instances of one service (their ports must stay below the simulators').</summary>
    public const int MaxReplicas = 8;

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Which instance of the service this is, from 1; the first keeps the catalog's port.</summary>
    public int Replica { get; init; } = 1;

    /// <summary>The process's name: pid and log file, status row (`ordering`, `ordering-2`, ...).</summary>
    public string InstanceName => Replica == 1 ? Name : $"{Name}-{Replica}";

    /// <summary>Several instances need no coordination beyond the database (not the edge, not the in-memory simulators).</summary>
    public bool CanReplicate => Kind == ServiceKind.Service;

    /// <summary>Instance <paramref name="replica"/> of this service: its own port, and its own address in settings that name it.</summary>
    public ServiceDefinition AsReplica(int replica)
    {
        var port = Port + ReplicaPortStep * (replica - 1);
        var own = $"127.0.0.1:{Port}";
        return this with
        {
            Replica = replica,
            Port = port,
            // e.g. payment's webhook address: the PG must call back an instance that exists.
            Settings = Settings.ToDictionary(s => s.Key, s => s.Value.Replace(own, $"127.0.0.1:{port}", StringComparison.Ordinal)),
        };
    }

    public bool HasDatabase => Kind != ServiceKind.Simulator;

    /// <summary>Its database's name; a second copy of the system (end-to-end tests) gives each run its own.</summary>
    public string Database { get; init; } = $"stampede_{Name.Replace('-', '_')}";

    /// <summary>The address people use; the gateway answers on localhost, the rest on loopback.</summary>
    public string Url => Kind == ServiceKind.Gateway ? $"http://localhost:{Port}" : $"http://127.0.0.1:{Port}";

    public string ApiExplorerUrl => $"http://127.0.0.1:{Port}/swagger";

    public string ReadinessUrl => $"http://127.0.0.1:{Port}/health/ready";

    public string ProjectFolder => Path.GetDirectoryName(Path.Combine(Repository.Root, Project))!;

    public string AssemblyPath(string configuration) =>
        Path.Combine(ProjectFolder, "bin", configuration, "net10.0", $"{AssemblyName()}.dll");

    private string AssemblyName()
    {
        var projectFile = Path.Combine(Repository.Root, Project);
        var declared = File.Exists(projectFile) ? AssemblyNameElement().Match(File.ReadAllText(projectFile)) : Match.Empty;
        return declared.Success ? declared.Groups[1].Value.Trim() : Path.GetFileNameWithoutExtension(Project);
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameElement();
}
