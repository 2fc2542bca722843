using Npgsql;
using Stampede.Contracts;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Messaging;

namespace Stampede.Inventory.Reservations;

/// <summary>The buyer cancelled. Unpaid: release the held units. Paid: the sold units go back on
/// the shelf (restock).</summary>
public sealed class CancelReservation(TimeProvider time, ReleaseReservation release, ILogger<CancelReservation> logger)
    : IIntegrationEventHandler<OrderCancelled>
{
    public Task HandleAsync(OrderCancelled @event, MessageContext context, CancellationToken cancellationToken) =>
        ReleaseReservation.PublishAsync(CancelAsync(@event, context.Transaction, cancellationToken), context, cancellationToken);

    public async Task<IReadOnlyList<IntegrationEvent>> CancelAsync(OrderCancelled cancelled, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        if (!cancelled.WasPaid)
            return await release.ReleaseAsync(cancelled.OrderId, ReservationOutcome.OrderCancelled, transaction, cancellationToken);

        var now = time.GetUtcNow();
        var reservation = await Reservation.LockAsync(transaction, cancelled.OrderId, cancellationToken);
        switch (reservation)
        {
            case { Status: ReservationStatus.Committed }:
                break;
            case { Status: ReservationStatus.Held }:
                // OrderPaid and OrderCancelled travel on different queues, so the cancellation can
                // come first: record the sale, then the restock, as if they had arrived in order.
                await reservation.CommitAsync(transaction, now, cancellationToken);
                reservation = reservation with { Status = ReservationStatus.Committed };
                break;
            case { Status: ReservationStatus.Released, Outcome: ReservationOutcome.ReservationExpired } expired:
                // The units went back when the reservation expired, and the OrderPaid behind this
                // cancellation is still on its way: close the reservation so that payment sells nothing.
                await expired.MoveToAsync(transaction, ReservationStatus.Released, ReservationOutcome.OrderCancelled, now, cancellationToken);
                return [];
            case { } settled:
                logger.LogInformation("Restock of order {OrderId} ignored: its reservation is {Status}", cancelled.OrderId, settled.Status);
                return [];
            default:
                logger.LogWarning("Paid order {OrderId} was cancelled but has no reservation; nothing to restock", cancelled.OrderId);
                return [];
        }

        var levels = await Reservation.ApplyAsync(transaction, reservation.Changes(onHand: 1, reserved: 0),
            new LedgerEntry(LedgerReason.Restock, ReservationOutcome.OrderCancelled, cancelled.OrderId, null, now), cancellationToken);
        await reservation.MoveToAsync(transaction, ReservationStatus.Restocked, ReservationOutcome.OrderCancelled, now, cancellationToken);
        return Reservation.Availability(levels);
    }
}
