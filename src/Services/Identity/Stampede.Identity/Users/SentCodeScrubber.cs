using Dapper;
using Npgsql;
using Stampede.Contracts.Identity;
using Stampede.Messaging;

namespace Stampede.Identity.Users;

/// <summary>Blanks the plain code in <see cref="VerificationCodeIssued"/> outbox rows once the relay has
/// sent them and <see cref="IdentitySettings.SentCodeRetention"/> has passed, instead of leaving it
/// there for the outbox's whole retention (days). Unsent rows keep it: the mailer still needs it.
/// Every instance may run it; the update is idempotent.</summary>
public sealed class SentCodeScrubber(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time, ILogger<SentCodeScrubber> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly string EventName = EventNames.Of<VerificationCodeIssued>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ScrubAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "Blanking sent verification codes failed; will try again in {Interval}", Interval);
            }
        }
    }

    /// <summary>Returns how many rows were blanked.</summary>
    public async Task<int> ScrubAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // sent_at is written with the database's clock by the relay, so it is compared with that clock.
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE messaging.outbox SET payload = jsonb_set(payload::jsonb, '{code}', '""')::json
            WHERE event_name = @eventName AND sent_at < clock_timestamp() - @retention AND payload ->> 'code' <> ''
            """, new { eventName = EventName, retention = settings.SentCodeRetention }, cancellationToken: cancellationToken));
    }
}
