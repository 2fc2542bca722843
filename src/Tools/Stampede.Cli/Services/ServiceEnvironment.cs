using Npgsql;
using Stampede.Cli.Servers;

namespace Stampede.Cli.Services;

/// <summary>Where a system's PostgreSQL, Redis and RabbitMQ are.</summary>
/// <param name="Postgres">A connection string without a database (each service gets its own).</param>
public sealed record ServerAddresses(string Postgres, string Redis, string RabbitMq)
{
    public static ServerAddresses Of(Instance instance) => new(instance.PostgresConnectionString, instance.RedisAddress, instance.RabbitMqUri);

    public string PostgresFor(string database) => new NpgsqlConnectionStringBuilder(Postgres) { Database = database }.ConnectionString;
}

/// <summary>The environment variables a service process gets: where its servers and its peers are.</summary>
public static class ServiceEnvironment
{
    /// <param name="system">Every process of the system <paramref name="service"/> belongs to (its peers, each instance of them).</param>
    /// <param name="otlpEndpoint">The dashboard's OTLP gRPC address when it runs; null sets no telemetry export.</param>
    public static Dictionary<string, string> For(
        ServiceDefinition service, IReadOnlyList<ServiceDefinition> system, ServerAddresses servers, string? otlpEndpoint = null)
    {
        // Identity's key ring is in PostgreSQL, so every identity instance publishes the same JWKS; the first one's is named.
        var identity = system.First(s => s.Name == ServiceCatalog.Identity.Name && s.Replica == 1);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = service.Url,
            ["ConnectionStrings__Redis"] = servers.Redis,
            ["ConnectionStrings__RabbitMQ"] = servers.RabbitMq,
            ["Jwt__JwksUrl"] = $"http://127.0.0.1:{identity.Port}/.well-known/jwks.json",
        };
        if (service.HasDatabase)
        {
            environment["ConnectionStrings__Postgres"] = servers.PostgresFor(service.Database);
        }

        if (otlpEndpoint is not null)
        {
            // The standard variables; service.name comes from the service itself.
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        }

        // Every process can reach its peers' /internal endpoints by name (Services:catalog, ...): every
        // instance's address, comma-separated, so calls balance and fail over across them.
        foreach (var peer in system.Where(s => s.Kind != ServiceKind.Gateway && s.Name != service.Name).GroupBy(s => s.Name))
        {
            environment[$"Services__{peer.Key}"] = Addresses(peer);
        }

        if (service.Kind == ServiceKind.Gateway)
        {
            foreach (var routed in system.Where(s => s.Kind == ServiceKind.Service).GroupBy(s => s.Name))
            {
                environment[$"Gateway__Services__{routed.Key}"] = Addresses(routed);
            }
        }

        if (service.Name == ServiceCatalog.Identity.Name)
        {
            // The demo, the benchmarks and the end-to-end tests sign up many users from 127.0.0.1.
            environment["Identity__MaxSignUpsPerIp"] = "1000000";
            // ...in bursts (ten buyers at once on two cores): they wait for a hashing slot instead of a 503.
            environment["Identity__SignUpHashQueueTimeout"] = "00:00:30";
        }

        foreach (var (key, value) in service.Settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static string Addresses(IEnumerable<ServiceDefinition> instances) =>
        string.Join(',', instances.OrderBy(s => s.Replica).Select(s => $"http://127.0.0.1:{s.Port}"));
}
