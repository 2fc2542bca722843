using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Stampede.ServiceDefaults.Health;
using Stampede.ServiceDefaults.Telemetry;

namespace Stampede.ServiceDefaults.Persistence;

public static class PostgresExtensions
{
    /// <summary>Registers the service's database (<c>ConnectionStrings:Postgres</c>), its readiness
    /// check, and the versioned SQL migrations embedded in <paramref name="migrationsAssembly"/>,
    /// applied at start-up before the service takes requests.</summary>
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder, Assembly migrationsAssembly)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured.");
        DapperConventions.Apply();
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).TraceOnlyWithinOperations().Build());
        builder.Services.AddSingleton(new MigrationSource(migrationsAssembly));
        builder.Services.AddHostedService<SchemaMigrationService>();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }
}

internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable: " + ex.GetType().Name);
        }
    }
}
