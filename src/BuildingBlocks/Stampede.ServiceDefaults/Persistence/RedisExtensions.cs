using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Stampede.ServiceDefaults.Health;

namespace Stampede.ServiceDefaults.Persistence;

public static class RedisExtensions
{
    /// <summary>Registers one shared Redis connection (<c>ConnectionStrings:Redis</c>) and its
    /// readiness check. The connection keeps retrying in the background when Redis is down.</summary>
    public static WebApplicationBuilder AddRedis(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration.GetConnectionString("Redis")
            ?? throw new InvalidOperationException("ConnectionStrings:Redis is not configured.");
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(configuration);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 3000;
            options.SyncTimeout = 3000;
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable: " + ex.GetType().Name);
        }
    }
}
