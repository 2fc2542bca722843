namespace Stampede.Cli.Services;

/// <summary>
/// Every process `./stampede up` runs, in start order (services, then simulators, then the gateway).
/// Adding a service is one line here.
/// </summary>
public static class ServiceCatalog
{
    public const string AdminEmail = "admin@stampede.local";
    public const string AdminPassword = "Stampede-Demo-Admin-2026";

    public static readonly IReadOnlyList<ServiceDefinition> All =
    [
        new("identity", "src/Services/Identity/Stampede.Identity/Stampede.Identity.csproj", 5101)
        {
            Settings = new Dictionary<string, string>
            {
                ["Identity__Admin__Email"] = AdminEmail,
                ["Identity__Admin__Password"] = AdminPassword,
            },
        },
        new("catalog", "src/Services/Catalog/Stampede.Catalog/Stampede.Catalog.csproj", 5102),
        new("inventory", "src/Services/Inventory/Stampede.Inventory/Stampede.Inventory.csproj", 5103),
        new("ordering", "src/Services/Ordering/Stampede.Ordering/Stampede.Ordering.csproj", 5104),
        new("payment", "src/Services/Payment/Stampede.Payment/Stampede.Payment.csproj", 5105)
        {
            Settings = new Dictionary<string, string>
            {
                ["Pg__BaseUrl"] = "http://127.0.0.1:5190",
                ["Payment__PublicBaseUrl"] = "http://localhost:8080/api/payment",
                ["Payment__WebhookBaseUrl"] = "http://127.0.0.1:5105",
            },
        },
        new("pg-sim", "src/Simulators/Stampede.PgSimulator/Stampede.PgSimulator.csproj", 5190, ServiceKind.Simulator)
        {
            Settings = new Dictionary<string, string> { ["PgSim__PublicBaseUrl"] = "http://127.0.0.1:5190" },
        },
        new("gateway", "src/Services/Gateway/Stampede.Gateway/Stampede.Gateway.csproj", 8080, ServiceKind.Gateway),
    ];

    public static ServiceDefinition Identity => All.Single(s => s.Name == "identity");

    public static ServiceDefinition Gateway => All.Single(s => s.Kind == ServiceKind.Gateway);
}
