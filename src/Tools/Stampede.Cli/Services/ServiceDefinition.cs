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
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

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
