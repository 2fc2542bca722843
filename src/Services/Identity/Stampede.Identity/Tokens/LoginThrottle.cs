using Dapper;
using Npgsql;

namespace Stampede.Identity.Tokens;

/// <summary>Counts failed logins per account and per client IP in PostgreSQL (so every instance
/// sees the same count) and refuses further tries once either passes its limit within the window.</summary>
public sealed class LoginThrottle(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time)
{
    /// <summary>Decides whether a login may be tried now and, when it may, records the try as a
    /// failure before the password is checked (a successful login takes it back). Deciding and
    /// recording happen under per-account and per-IP advisory locks, so parallel guesses cannot all
    /// pass the count before any of them is recorded.</summary>
    public async Task<LoginAttempt> TryAttemptAsync(string account, string ip, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Always account first, then IP: one order for every caller, so two logins never deadlock.
        await connection.ExecuteAsync(new CommandDefinition("""
            SELECT pg_advisory_xact_lock(hashtextextended('login:account:' || @account, 0));
            SELECT pg_advisory_xact_lock(hashtextextended('login:ip:' || @ip, 0));
            """, new { account, ip }, transaction, cancellationToken: cancellationToken));
        // A statement of its own after the locks, so its snapshot sees every try recorded before them.
        // The limit-th newest failure in the window: once it ages out, the count is below the limit again.
        var decided = await connection.QuerySingleAsync<Decision>(new CommandDefinition("""
            WITH blocked AS (
                SELECT (SELECT failed_at FROM login_failures
                        WHERE scope = 'account' AND key = @account AND failed_at > @windowStart
                        ORDER BY failed_at DESC OFFSET @accountOffset LIMIT 1) AS account,
                       (SELECT failed_at FROM login_failures
                        WHERE scope = 'ip' AND key = @ip AND failed_at > @windowStart
                        ORDER BY failed_at DESC OFFSET @ipOffset LIMIT 1) AS ip),
            recorded AS (
                INSERT INTO login_failures (scope, key, failed_at)
                SELECT v.scope, v.key, @now FROM (VALUES ('account', @account), ('ip', @ip)) AS v (scope, key), blocked
                WHERE blocked.account IS NULL AND blocked.ip IS NULL
                RETURNING id, scope)
            SELECT blocked.account, blocked.ip, (SELECT id FROM recorded WHERE scope = 'ip') AS ip_attempt_id FROM blocked
            """, new
            {
                account, ip, now, windowStart = now - settings.LoginFailureWindow,
                accountOffset = settings.MaxLoginFailuresPerAccount - 1, ipOffset = settings.MaxLoginFailuresPerIp - 1,
            }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        TimeSpan? accountWait = decided.Account is { } a ? a + settings.LoginFailureWindow - now : null;
        TimeSpan? ipWait = decided.Ip is { } i ? i + settings.LoginFailureWindow - now : null;
        if (accountWait is { } forAccount && (ipWait is null || forAccount >= ipWait))
            return new LoginAttempt(null, new LoginBlock(forAccount, "Too many failed logins for this account; try again later."));
        if (ipWait is { } forIp) return new LoginAttempt(null, new LoginBlock(forIp, "Too many failed logins from this address; try again later."));
        return new LoginAttempt(decided.IpAttemptId, null);
    }

    /// <summary>A successful login forgives the account's failures and takes back its own try from
    /// the IP's count (but not the IP's earlier failures: one good account must not reset the count
    /// for guessing at others).</summary>
    public Task ClearAccountAsync(NpgsqlTransaction transaction, string account, long? ipAttemptId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            DELETE FROM login_failures WHERE scope = 'account' AND key = @account;
            DELETE FROM login_failures WHERE id = @ipAttemptId;
            """, new { account, ipAttemptId }, transaction, cancellationToken: cancellationToken));

    private sealed record Decision(DateTimeOffset? Account, DateTimeOffset? Ip, long? IpAttemptId);
}

/// <summary>Either a recorded try (with the id of its IP row) or the reason it may not be made.</summary>
public sealed record LoginAttempt(long? IpAttemptId, LoginBlock? Block);

public sealed record LoginBlock(TimeSpan RetryAfter, string Detail);
