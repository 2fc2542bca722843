using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Expires unpaid orders past their payment deadline (OrderExpired: inventory releases,
/// payment voids the session). Safe with several ordering instances: each batch is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so no two instances expire one order, and a row a saga handler
/// is changing right now is left for the next round.</summary>
public sealed class PaymentDeadlineJob(
    NpgsqlDataSource database, OrderStore orders, TimeProvider time, IOptions<OrderingSettings> settings, ILogger<PaymentDeadlineJob> logger)
    : BackgroundService
{
    private const string ClaimOverdueSql = """
        SELECT id FROM orders
        WHERE status IN ('AwaitingStock', 'AwaitingPayment') AND payment_deadline <= @now
        ORDER BY payment_deadline
        LIMIT @batch
        FOR UPDATE SKIP LOCKED
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.DeadlineJobInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ExpireOverdueOrdersAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Expiring overdue orders failed ({Error}); trying again next round", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Expires every order overdue now, a batch per transaction; returns how many it expired.</summary>
    public async Task<int> ExpireOverdueOrdersAsync(CancellationToken cancellationToken)
    {
        var batch = Math.Max(1, settings.Value.DeadlineJobBatchSize);
        var expired = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var overdue = (await connection.QueryAsync<Guid>(new CommandDefinition(
                ClaimOverdueSql, new { now, batch }, transaction, cancellationToken: cancellationToken))).ToList();
            var expiredNow = 0;
            foreach (var orderId in overdue)
            {
                // The row is locked by this transaction, so the version read is the current one.
                var order = await orders.FindAsync(connection, transaction, orderId, cancellationToken);
                if (order is null || !order.IsUnpaid) continue;
                order.Expire(now);
                if (!await orders.TrySaveAsync(order, transaction, cancellationToken))
                    throw new OrderChangedConcurrentlyException(orderId);
                expiredNow++;
            }

            await transaction.CommitAsync(cancellationToken);
            expired += expiredNow;
            if (expiredNow > 0) logger.LogInformation("Expired {Count} overdue order(s)", expiredNow);
            if (overdue.Count < batch) return expired;
        }
    }
}
