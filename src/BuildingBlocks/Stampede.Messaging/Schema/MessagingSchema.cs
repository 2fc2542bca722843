using System.Reflection;
using Npgsql;

namespace Stampede.Messaging;

/// <summary>The outbox and inbox tables (schema <c>messaging</c>) every service using messaging needs.
/// The SQL lives in embedded, versioned files (<c>Schema/001_outbox_inbox.sql</c>, ...).</summary>
public static class MessagingSchema
{
    private const long AdvisoryLockKey = 0x5354_4d50_4d53_4731; // "STMPMSG1": one key for every service database

    /// <summary>The whole schema as one idempotent script (every statement is <c>IF NOT EXISTS</c>),
    /// in version order, for a migrator that wants to fold it in.</summary>
    public static string Sql { get; } = LoadScripts();

    /// <summary>Applies <see cref="Sql"/>. Safe when several instances start at once: they queue on a
    /// transaction-scoped advisory lock, and each statement is idempotent.</summary>
    public static async Task EnsureSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var schemaCommand = new NpgsqlCommand(Sql, connection, transaction))
        {
            await schemaCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string LoadScripts()
    {
        var assembly = typeof(MessagingSchema).Assembly;
        const string prefix = "Stampede.Messaging.Schema.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => Read(assembly, name));
        return string.Join("\n", scripts);
    }

    private static string Read(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded schema script {resourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
