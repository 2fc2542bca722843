using Dapper;
using Npgsql;

namespace Stampede.Identity.Persistence;

/// <summary>Deletes rows that can no longer matter: old login failures, sign-up attempts and resend marks, expired
/// refresh tokens and their finished families, expired codes, old dev mail. Every instance may run
/// it; the deletes are idempotent.</summary>
public sealed class ExpiredRowSweeper(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time, ILogger<ExpiredRowSweeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan KeepExpired = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "Sweeping expired identity rows failed; will try again in {Interval}", Interval);
            }
        }
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            -- Sign-ups count over their own, longer window.
            DELETE FROM login_failures WHERE scope <> 'signup' AND failed_at < @failuresBefore;
            DELETE FROM login_failures WHERE scope = 'signup' AND failed_at < @signUpsBefore;
            DELETE FROM verification_requests WHERE requested_at < @requestsBefore;
            DELETE FROM verification_codes WHERE expires_at < @expiredBefore;
            DELETE FROM refresh_tokens WHERE expires_at < @expiredBefore;
            DELETE FROM refresh_token_families f
            WHERE f.created_at < @expiredBefore AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id);
            DELETE FROM dev_mailbox WHERE created_at < @expiredBefore;
            """, new
            {
                failuresBefore = now - settings.LoginFailureWindow,
                signUpsBefore = now - settings.SignUpWindow,
                requestsBefore = now - settings.VerificationResendInterval,
                expiredBefore = now - KeepExpired,
            }, cancellationToken: cancellationToken));
    }
}
