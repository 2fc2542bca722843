using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Npgsql;
using Stampede.Contracts.Identity;
using Stampede.Messaging;

namespace Stampede.Identity.Users;

/// <summary>Issues 6-digit email verification codes: random from a CSPRNG, stored only as an
/// HMAC under the server secret, announced as <see cref="VerificationCodeIssued"/> through the outbox
/// in the caller's transaction (the mailer needs the code; <see cref="SentCodeScrubber"/> blanks it
/// once sent), and with the dev mailbox on, copied there (and, in Development only, to the log).</summary>
public sealed class VerificationCodes(IOutbox outbox, VerificationCodeKey key, TimeProvider time, IdentitySettings settings, ILogger<VerificationCodes> logger)
{
    public async Task IssueAsync(NpgsqlTransaction transaction, Guid userId, string email, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var now = time.GetUtcNow();
        var expiresAt = now + settings.VerificationCodeLifetime;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO verification_codes (user_id, code_hash, issued_at, expires_at, failed_attempts)
            VALUES (@userId, @codeHash, @now, @expiresAt, 0)
            ON CONFLICT (user_id) DO UPDATE
                SET code_hash = EXCLUDED.code_hash, issued_at = EXCLUDED.issued_at,
                    expires_at = EXCLUDED.expires_at, failed_attempts = 0;
            INSERT INTO verification_requests (email, requested_at) VALUES (@email, @now)
            ON CONFLICT (email) DO UPDATE SET requested_at = EXCLUDED.requested_at;
            """, new { userId, codeHash = await key.HashAsync(userId, code, cancellationToken), now, expiresAt, email },
            transaction, cancellationToken: cancellationToken));
        await outbox.EnqueueAsync(new VerificationCodeIssued(userId, email, code, expiresAt) { OccurredAt = now }, transaction, cancellationToken);

        if (!settings.DevMailbox) return;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO dev_mailbox (user_id, email, code, expires_at, created_at) VALUES (@userId, @email, @code, @expiresAt, @now)
            """, new { userId, email, code, expiresAt, now }, transaction, cancellationToken: cancellationToken));
        if (settings.LogVerificationCodes)
            logger.LogInformation("Dev mailbox: verification code {Code} for {Email}, valid until {ExpiresAt:O}", code, email, expiresAt);
    }

    /// <summary>Claims the right to send a code to <paramref name="email"/> now. Null when claimed;
    /// otherwise how long until the next one may go. Applies to unknown addresses too, so the answer
    /// reveals nothing about which addresses have accounts.</summary>
    public async Task<TimeSpan?> ClaimResendAsync(NpgsqlTransaction transaction, string email, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var last = await transaction.Connection!.QuerySingleOrDefaultAsync<ResendClaim>(new CommandDefinition("""
            WITH claimed AS (
                INSERT INTO verification_requests (email, requested_at) VALUES (@email, @now)
                ON CONFLICT (email) DO UPDATE SET requested_at = EXCLUDED.requested_at
                    WHERE verification_requests.requested_at <= @earliest
                RETURNING requested_at)
            SELECT true AS claimed, requested_at FROM claimed
            UNION ALL
            SELECT false AS claimed, requested_at FROM verification_requests WHERE email = @email AND NOT EXISTS (SELECT 1 FROM claimed)
            """, new { email, now, earliest = now - settings.VerificationResendInterval }, transaction, cancellationToken: cancellationToken));
        return last switch
        {
            { Claimed: true } => null,
            { } previous => previous.RequestedAt + settings.VerificationResendInterval - now,
            // A concurrent first request for this address committed after our snapshot: it won.
            null => settings.VerificationResendInterval,
        };
    }

    private sealed record ResendClaim(bool Claimed, DateTimeOffset RequestedAt);
}
