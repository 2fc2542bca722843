using System.Reflection;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Stampede.ServiceDefaults.Persistence;

/// <summary>Where a service's migrations live: embedded resources ending in <c>.sql</c>, applied
/// in ordinal order of their file names (<c>0001_users.sql</c>, <c>0002_addresses.sql</c>).</summary>
public sealed record MigrationSource(Assembly Assembly);

/// <summary>Applies versioned SQL migrations. Safe when several instances start together: the
/// whole run holds an advisory lock, and each migration commits with its version row.</summary>
public static class SchemaMigrator
{
    private const long LockKey = 0x5354_4D50_4D49_47; // "STMPMIG"

    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, Assembly assembly, CancellationToken cancellationToken)
    {
        await EnsureDatabaseExistsAsync(dataSource.ConnectionString, cancellationToken);
        var migrations = assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Version: VersionOf(name), Resource: name))
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToHashSet();
            var newlyApplied = new List<string>();
            foreach (var (version, resource) in migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(await ReadAsync(assembly, resource), transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version) VALUES (@version)", new { version }, transaction);
                await transaction.CommitAsync(cancellationToken);
                newlyApplied.Add(version);
            }
            return newlyApplied;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    /// <summary>Creates the service's database when it does not exist yet (first start, or a test's
    /// fresh database). A concurrent creator winning the race is fine.</summary>
    public static async Task EnsureDatabaseExistsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(target.Database)) return;
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", new { name = target.Database });
        if (exists) return;
        try
        {
            await connection.ExecuteAsync($"CREATE DATABASE \"{target.Database.Replace("\"", "\"\"")}\"");
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
        }
    }

    // "Stampede.Identity.Persistence.Migrations.0001_users.sql" -> "0001_users"
    private static string VersionOf(string resourceName)
    {
        var withoutExtension = resourceName[..^".sql".Length];
        return withoutExtension[(withoutExtension.LastIndexOf('.') + 1)..];
    }

    private static async Task<string> ReadAsync(Assembly assembly, string resource)
    {
        await using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}

/// <summary>Runs the migrations before the server starts listening, so a ready service always has
/// its schema.</summary>
internal sealed class SchemaMigrationService(NpgsqlDataSource dataSource, MigrationSource source, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await SchemaMigrator.ApplyAsync(dataSource, source.Assembly, cancellationToken);
        logger.LogInformation("Schema up to date; applied {Count} migration(s): {Migrations}", applied.Count, string.Join(", ", applied));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
