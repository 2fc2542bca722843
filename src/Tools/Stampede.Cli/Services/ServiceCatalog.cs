namespace Stampede.Cli.Services;

/// <summary>
/// Every process `./stampede up` runs, in start order (services, then simulators, then the gateway).
/// Adding a service is one line here.
/// </summary>
public static class ServiceCatalog
{
    public const string AdminEmail = "admin@stampede.local";
    public const string AdminPassword = "Stampede-Demo-Admin-2026";

    public static readonly IReadOnlyList<ServiceDefinition> All = WithPortOffset(0);

    /// <summary>
    /// The same system with every port moved by <paramref name="offset"/> (peers' addresses included), so a
    /// second copy (the end-to-end tests) runs beside `./stampede up` without a collision.
    /// </summary>
    public static IReadOnlyList<ServiceDefinition> WithPortOffset(int offset)
    {
        int Port(int basePort) => basePort + offset;
        return
        [
            new("identity", "src/Services/Identity/Stampede.Identity/Stampede.Identity.csproj", Port(5101))
            {
                Settings = new Dictionary<string, string>
                {
                    ["Identity__Admin__Email"] = AdminEmail,
                    ["Identity__Admin__Password"] = AdminPassword,
                },
            },
            new("catalog", "src/Services/Catalog/Stampede.Catalog/Stampede.Catalog.csproj", Port(5102)),
            new("inventory", "src/Services/Inventory/Stampede.Inventory/Stampede.Inventory.csproj", Port(5103)),
            new("ordering", "src/Services/Ordering/Stampede.Ordering/Stampede.Ordering.csproj", Port(5104)),
            new("payment", "src/Services/Payment/Stampede.Payment/Stampede.Payment.csproj", Port(5105))
            {
                Settings = new Dictionary<string, string>
                {
                    ["Pg__BaseUrl"] = $"http://127.0.0.1:{Port(5190)}",
                    ["Payment__PublicBaseUrl"] = $"http://localhost:{Port(8080)}/api/payment",
                    ["Payment__WebhookBaseUrl"] = $"http://127.0.0.1:{Port(5105)}",
                },
            },
            new("pg-sim", "src/Simulators/Stampede.PgSimulator/Stampede.PgSimulator.csproj", Port(5190), ServiceKind.Simulator)
            {
                Settings = new Dictionary<string, string> { ["PgSim__PublicBaseUrl"] = $"http://127.0.0.1:{Port(5190)}" },
            },
            new("gateway", "src/Services/Gateway/Stampede.Gateway/Stampede.Gateway.csproj", Port(8080), ServiceKind.Gateway),
        ];
    }

    /// <summary>
    /// Every instance to run: each service once, plus instances 2..N of those <paramref name="replicas"/> names,
    /// next to their first (start order kept).
    /// </summary>
    public static IReadOnlyList<ServiceDefinition> WithReplicas(IReadOnlyList<ServiceDefinition> system, Replicas replicas) =>
        [.. system.SelectMany(s => Enumerable.Range(1, s.CanReplicate ? replicas.Of(s.Name) : 1).Select(s.AsReplica))];

    public static ServiceDefinition Identity => All.Single(s => s.Name == "identity");

    public static ServiceDefinition Gateway => All.Single(s => s.Kind == ServiceKind.Gateway);
}
