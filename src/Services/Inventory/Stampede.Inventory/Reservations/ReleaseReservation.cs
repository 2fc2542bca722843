using Npgsql;
using Stampede.Contracts;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Messaging;

namespace Stampede.Inventory.Reservations;

/// <summary>An unpaid order ended (deadline passed, payment failed): its held units become
/// available again. A reservation already committed or released is left as it is.</summary>
public sealed class ReleaseReservation(TimeProvider time, ILogger<ReleaseReservation> logger)
    : IIntegrationEventHandler<OrderExpired>, IIntegrationEventHandler<OrderFailed>
{
    public Task HandleAsync(OrderExpired @event, MessageContext context, CancellationToken cancellationToken) =>
        PublishAsync(ReleaseAsync(@event.OrderId, ReservationOutcome.OrderExpired, context.Transaction, cancellationToken), context, cancellationToken);

    public Task HandleAsync(OrderFailed @event, MessageContext context, CancellationToken cancellationToken) =>
        PublishAsync(ReleaseAsync(@event.OrderId, ReservationOutcome.OrderFailed, context.Transaction, cancellationToken), context, cancellationToken);

    public async Task<IReadOnlyList<IntegrationEvent>> ReleaseAsync(Guid orderId, string outcome, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (await Reservation.LockOrCloseAsync(transaction, orderId, outcome, now, cancellationToken))
        {
            case { Status: ReservationStatus.Held } held:
                return await held.ReleaseAsync(transaction, LedgerReason.Release, outcome, now, cancellationToken);
            case { } settled:
                logger.LogInformation("Release ({Outcome}) of order {OrderId} ignored: its reservation is {Status}", outcome, orderId, settled.Status);
                return [];
            default:
                logger.LogInformation("Order {OrderId} ended ({Outcome}) before inventory saw it placed; it will reserve nothing", orderId, outcome);
                return [];
        }
    }

    internal static async Task PublishAsync(Task<IReadOnlyList<IntegrationEvent>> work, MessageContext context, CancellationToken cancellationToken)
    {
        foreach (var follow in await work)
            await context.PublishAsync(follow, cancellationToken);
    }
}
