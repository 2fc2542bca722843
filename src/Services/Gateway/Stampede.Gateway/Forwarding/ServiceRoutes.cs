using Yarp.ReverseProxy.Configuration;

namespace Stampede.Gateway.Forwarding;

/// <summary>Marks the endpoints under <c>/api/{service}</c> (YARP's routes and the unknown-service
/// answer), so the edge checks (rate limits, token) apply to them and not to the gateway's own
/// health and explorer endpoints.</summary>
public sealed class ForwardedRouteMetadata;

public static class ServiceRoutes
{
    public static IServiceCollection AddServiceRoutes(this IServiceCollection services, IConfiguration configuration, ServiceDirectory directory)
    {
        var breaker = configuration.GetSection(Resilience.BreakerSettings.Section).Get<Resilience.BreakerSettings>() ?? new();
        var health = configuration.GetSection(Resilience.HealthCheckSettings.Section).Get<Resilience.HealthCheckSettings>() ?? new();
        var (routes, clusters) = ProxyConfiguration.Build(directory, configuration, breaker, health);
        services.AddSingleton(breaker);
        services.AddSingleton(health);
        services.AddSingleton<BodyLimit>();
        services.AddSingleton<ForwardingErrors>();
        services.AddSingleton<Resilience.ServiceFailurePolicy>();
        services.AddSingleton<Yarp.ReverseProxy.Health.IPassiveHealthCheckPolicy>(sp => sp.GetRequiredService<Resilience.ServiceFailurePolicy>());
        services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, GatewayHttpClientFactory>();
        services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(GatewayTransforms.Apply);
        return services;
    }

    public static void MapServiceRoutes(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            var errors = proxy.ApplicationServices.GetRequiredService<ForwardingErrors>();
            proxy.Use((context, next) => errors.InvokeAsync(context, next));
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).WithMetadata(new ForwardedRouteMetadata());

        // A service literal in a YARP route wins over this pattern, so only unknown services land here.
        app.Map("/api/{service}/{**rest}", (string service) =>
                TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown service", detail: $"No service is routed at /api/{service}."))
            .WithMetadata(new ForwardedRouteMetadata())
            .ExcludeFromDescription();
    }
}
