using Npgsql;
using Stampede.Contracts;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Messaging;

namespace Stampede.Inventory.Reservations;

/// <summary>An order was paid: its held units are sold (on hand and reserved both drop). When they
/// cannot be (the reservation expired and the stock is gone), the answer is
/// <see cref="StockCommitFailed"/>, so ordering refunds: never a paid order without goods.</summary>
public sealed class CommitReservation(TimeProvider time, ILogger<CommitReservation> logger) : IIntegrationEventHandler<OrderPaid>
{
    public async Task HandleAsync(OrderPaid @event, MessageContext context, CancellationToken cancellationToken)
    {
        foreach (var follow in await CommitAsync(@event.OrderId, context.Transaction, cancellationToken))
            await context.PublishAsync(follow, cancellationToken);
    }

    public async Task<IReadOnlyList<IntegrationEvent>> CommitAsync(Guid orderId, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (await Reservation.LockAsync(transaction, orderId, cancellationToken))
        {
            case { Status: ReservationStatus.Held } held:
                return await held.CommitAsync(transaction, now, cancellationToken);
            case { Status: ReservationStatus.Released, Outcome: ReservationOutcome.ReservationExpired } expired:
                return await CommitAfterExpiryAsync(expired, transaction, now, cancellationToken);
            case { } settled:
                logger.LogInformation("OrderPaid for order {OrderId} ignored: its reservation is {Status}", orderId, settled.Status);
                return [];
            default:
                logger.LogWarning("OrderPaid for order {OrderId} that has no reservation; ignored", orderId);
                return [];
        }
    }

    // Our safety-net expiry released the units, yet ordering took the payment before its own
    // deadline (the event was delayed past the grace). Sell from what is available now, all lines
    // or none; never below zero.
    private async Task<IReadOnlyList<IntegrationEvent>> CommitAfterExpiryAsync(Reservation reservation, NpgsqlTransaction transaction,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var levels = await StockRows.LockAsync(transaction, reservation.Lines.Select(line => line.SkuId), cancellationToken);
        if (reservation.Lines.Any(line => !levels.TryGetValue(line.SkuId, out var level) || level.Available < line.Quantity))
        {
            logger.LogWarning("Order {OrderId} was paid after its reservation expired and its stock is gone; answering StockCommitFailed",
                reservation.OrderId);
            // The outcome moves on, so a cancellation or a redelivered payment finds it settled.
            await reservation.MoveToAsync(transaction, ReservationStatus.Released, ReservationOutcome.CommitFailed, now, cancellationToken);
            return [new StockCommitFailed(reservation.OrderId, "The reservation expired before the payment arrived and the stock is sold out.")];
        }

        var sold = await StockRows.ApplyAsync(transaction, reservation.Changes(onHand: -1, reserved: 0),
            new LedgerEntry(LedgerReason.Commit, "order-paid after reservation-expired", reservation.OrderId, null, now), cancellationToken);
        await reservation.MoveToAsync(transaction, ReservationStatus.Committed, ReservationOutcome.OrderPaid, now, cancellationToken);
        logger.LogWarning("Order {OrderId} was paid after its reservation expired; filled from available stock", reservation.OrderId);
        return Reservation.Availability(sold);
    }
}
