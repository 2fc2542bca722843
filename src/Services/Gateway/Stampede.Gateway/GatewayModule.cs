using Stampede.Gateway.Edge;
using Stampede.Gateway.Forwarding;
using Stampede.Gateway.Health;
using Stampede.Gateway.RateLimiting;

namespace Stampede.Gateway;

/// <summary>Marks the gateway's assembly (for <c>WebApplicationFactory</c>).</summary>
public sealed class GatewayService;

/// <summary>All of the gateway's wiring.</summary>
public static class GatewayModule
{
    public static WebApplicationBuilder AddGatewayModule(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var directory = ServiceDirectory.From(configuration);
        builder.Services.AddSingleton(directory);
        builder.Services.AddServiceRoutes(configuration, directory);
        builder.Services.AddSingleton(configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings());
        builder.Services.AddSingleton<RedisRateLimiter>();
        builder.Services.AddSingleton(AnonymousRoutes.From(configuration));
        builder.AddDownstreamHealthChecks(directory);

        var origins = configuration.GetSection("Gateway:Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id")
            .WithExposedHeaders("X-Request-Id", "Retry-After", "Location")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return builder;
    }

    /// <summary>The edge, after the service defaults (request id, problem details, token
    /// authentication): CORS preflights, blocked paths, rate limits, then the token check.</summary>
    public static WebApplication UseGatewayEdge(this WebApplication app)
    {
        app.UseCors();
        app.UseMiddleware<InternalPathBlocker>();
        app.UseMiddleware<RedisRateLimiter>();
        app.UseMiddleware<EdgeAuthentication>();
        return app;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        app.MapServiceRoutes();
        return app;
    }
}
