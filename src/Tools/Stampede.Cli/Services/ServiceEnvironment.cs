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
    public static Dictionary<string, string> For(ServiceDefinition service, Instance instance) =>
        For(service, ServiceCatalog.All, ServerAddresses.Of(instance));

    /// <param name="system">Every process of the system <paramref name="service"/> belongs to (its peers).</param>
    public static Dictionary<string, string> For(ServiceDefinition service, IReadOnlyList<ServiceDefinition> system, ServerAddresses servers)
    {
        var identity = system.Single(s => s.Name == ServiceCatalog.Identity.Name);
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

        // Every process can reach its peers' /internal endpoints by name (Services:catalog, ...).
        foreach (var peer in system.Where(s => s.Kind != ServiceKind.Gateway && s != service))
        {
            environment[$"Services__{peer.Name}"] = $"http://127.0.0.1:{peer.Port}";
        }

        if (service.Kind == ServiceKind.Gateway)
        {
            foreach (var routed in system.Where(s => s.Kind == ServiceKind.Service))
            {
                environment[$"Gateway__Services__{routed.Name}"] = $"http://127.0.0.1:{routed.Port}";
            }
        }

        foreach (var (key, value) in service.Settings)
        {
            environment[key] = value;
        }

        return environment;
    }
}
