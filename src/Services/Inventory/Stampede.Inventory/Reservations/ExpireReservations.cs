using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Inventory.Stock;
using Stampede.Messaging;

namespace Stampede.Inventory.Reservations;

/// <summary>Releases held reservations past their expiry: the safety net behind ordering's payment
/// deadline, for orders whose OrderExpired never comes. Each reservation is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> in its own transaction, so any number of instances can sweep at
/// once and none releases a reservation another is releasing.</summary>
public sealed class ExpireReservations(NpgsqlDataSource dataSource, IOutbox outbox, TimeProvider time, ILogger<ExpireReservations> logger)
{
    /// <summary>Releases every reservation expired by now; returns how many this call released.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        while (await ReleaseNextAsync(cancellationToken)) released++;
        return released;
    }

    private async Task<bool> ReleaseNextAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await Reservation.ClaimExpiredAsync(transaction, now, cancellationToken) is not { } expired)
            return false;

        foreach (var follow in await expired.ReleaseAsync(transaction, LedgerReason.Expire, ReservationOutcome.ReservationExpired, now, cancellationToken))
            await outbox.EnqueueAsync(follow, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("Reservation {ReservationId} of order {OrderId} expired at {ExpiresAt} while still held; released",
            expired.Id, expired.OrderId, expired.ExpiresAt);
        return true;
    }
}

/// <summary>Runs <see cref="ExpireReservations"/> every <see cref="InventorySettings.ExpirySweepInterval"/>.</summary>
public sealed class ReservationExpiryJob(ExpireReservations expiry, IOptions<InventorySettings> settings, TimeProvider time,
    ILogger<ReservationExpiryJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.ExpirySweepInterval, time);
        do
        {
            try
            {
                await expiry.SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Reservation expiry sweep failed; trying again in {Interval}", settings.Value.ExpirySweepInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
