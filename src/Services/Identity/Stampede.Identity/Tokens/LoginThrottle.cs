using Dapper;
using Npgsql;

namespace Stampede.Identity.Tokens;

/// <summary>Counts failed logins per account and per client IP in PostgreSQL (so every instance
/// sees the same count) and refuses further tries once either passes its limit within the window.</summary>
public sealed class LoginThrottle(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time)
{
    /// <summary>Null when a login may be tried now; otherwise why not and for how long.</summary>
    public async Task<LoginBlock?> CheckAsync(string account, string ip, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // The limit-th newest failure in the window: once it ages out, the count is below the limit again.
        var blockedSince = await connection.QuerySingleAsync<BlockedSince>(new CommandDefinition("""
            SELECT (SELECT failed_at FROM login_failures
                    WHERE scope = 'account' AND key = @account AND failed_at > @windowStart
                    ORDER BY failed_at DESC OFFSET @accountOffset LIMIT 1) AS account,
                   (SELECT failed_at FROM login_failures
                    WHERE scope = 'ip' AND key = @ip AND failed_at > @windowStart
                    ORDER BY failed_at DESC OFFSET @ipOffset LIMIT 1) AS ip
            """, new
            {
                account, ip, windowStart = now - settings.LoginFailureWindow,
                accountOffset = settings.MaxLoginFailuresPerAccount - 1, ipOffset = settings.MaxLoginFailuresPerIp - 1,
            }, cancellationToken: cancellationToken));

        TimeSpan? accountWait = blockedSince.Account is { } a ? a + settings.LoginFailureWindow - now : null;
        TimeSpan? ipWait = blockedSince.Ip is { } i ? i + settings.LoginFailureWindow - now : null;
        if (accountWait is { } forAccount && (ipWait is null || forAccount >= ipWait))
            return new LoginBlock(forAccount, "Too many failed logins for this account; try again later.");
        return ipWait is { } forIp ? new LoginBlock(forIp, "Too many failed logins from this address; try again later.") : null;
    }

    public async Task RecordFailureAsync(string account, string ip, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO login_failures (scope, key, failed_at) VALUES ('account', @account, @now), ('ip', @ip, @now)
            """, new { account, ip, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    /// <summary>A successful login forgives the account's failures (not the IP's: one good account
    /// must not reset the count for guessing at others).</summary>
    public Task ClearAccountAsync(NpgsqlTransaction transaction, string account, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "DELETE FROM login_failures WHERE scope = 'account' AND key = @account",
            new { account }, transaction, cancellationToken: cancellationToken));

    private sealed record BlockedSince(DateTimeOffset? Account, DateTimeOffset? Ip);
}

public sealed record LoginBlock(TimeSpan RetryAfter, string Detail);
