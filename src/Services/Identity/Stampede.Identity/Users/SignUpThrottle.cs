using Dapper;
using Npgsql;

namespace Stampede.Identity.Users;

/// <summary>Counts sign-up attempts per client network in PostgreSQL (so every instance sees the same
/// count) and refuses further ones once the limit is reached within the window.</summary>
public sealed class SignUpThrottle(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time)
{
    /// <summary>Records an attempt from <paramref name="network"/> unless the limit is reached; then
    /// returns how long until the oldest counted attempt ages out. Deciding and recording happen under
    /// an advisory lock per network, so parallel sign-ups cannot all pass the count before any is recorded.</summary>
    public async Task<TimeSpan?> TryAttemptAsync(string network, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('signup:' || @network, 0))",
            new { network }, transaction, cancellationToken: cancellationToken));
        // A statement of its own after the lock, so its snapshot sees every attempt recorded before it.
        var blockedSince = await connection.QuerySingleOrDefaultAsync<DateTimeOffset?>(new CommandDefinition("""
            WITH blocked AS (
                SELECT (SELECT failed_at FROM login_failures
                        WHERE scope = 'signup' AND key = @network AND failed_at > @windowStart
                        ORDER BY failed_at DESC OFFSET @offset LIMIT 1) AS since),
            recorded AS (
                INSERT INTO login_failures (scope, key, failed_at)
                SELECT 'signup', @network, @now FROM blocked WHERE blocked.since IS NULL)
            SELECT since FROM blocked
            """, new { network, now, windowStart = now - settings.SignUpWindow, offset = settings.MaxSignUpsPerIp - 1 },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return blockedSince is { } since ? since + settings.SignUpWindow - now : null;
    }
}
