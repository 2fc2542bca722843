using Stampede.Cli.Servers;

namespace Stampede.Cli.Services;

/// <summary>The environment variables a service process gets: where its servers and its peers are.</summary>
public static class ServiceEnvironment
{
    public static Dictionary<string, string> For(ServiceDefinition service, Instance instance)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = service.Url,
            ["ConnectionStrings__Redis"] = instance.RedisAddress,
            ["ConnectionStrings__RabbitMQ"] = instance.RabbitMqUri,
            ["Jwt__JwksUrl"] = $"http://127.0.0.1:{ServiceCatalog.Identity.Port}/.well-known/jwks.json",
        };
        if (service.HasDatabase)
        {
            environment["ConnectionStrings__Postgres"] = instance.PostgresConnectionStringFor(service.Database);
        }

        // Every process can reach its peers' /internal endpoints by name (Services:catalog, ...).
        foreach (var peer in ServiceCatalog.All.Where(s => s.Kind != ServiceKind.Gateway && s != service))
        {
            environment[$"Services__{peer.Name}"] = $"http://127.0.0.1:{peer.Port}";
        }

        if (service.Kind == ServiceKind.Gateway)
        {
            foreach (var routed in ServiceCatalog.All.Where(s => s.Kind == ServiceKind.Service))
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
