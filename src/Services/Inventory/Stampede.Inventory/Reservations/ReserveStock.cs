using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Contracts;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Inventory.Validation;
using Stampede.Messaging;

namespace Stampede.Inventory.Reservations;

/// <summary>An order was placed: reserve all its lines or none, in one transaction, and answer with
/// <see cref="StockReserved"/> or <see cref="StockRejected"/>.</summary>
public sealed class ReserveStock(TimeProvider time, IOptions<InventorySettings> settings, ILogger<ReserveStock> logger)
    : IIntegrationEventHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced @event, MessageContext context, CancellationToken cancellationToken)
    {
        foreach (var follow in await ReserveAsync(@event, context.Transaction, cancellationToken))
            await context.PublishAsync(follow, cancellationToken);
    }

    /// <summary>Does the work of <see cref="HandleAsync"/> in <paramref name="transaction"/> and returns
    /// the events to publish with it. No global lock: only the order's own SKU rows are locked, in SKU
    /// id order, so orders for different SKUs never wait for each other and overlapping orders cannot
    /// deadlock.</summary>
    public async Task<IReadOnlyList<IntegrationEvent>> ReserveAsync(OrderPlaced order, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var totals = order.Lines
            .GroupBy(line => line.SkuId)
            .Select(group => (SkuId: group.Key, Quantity: group.Sum(line => (long)line.Quantity)))
            .ToList();
        var invalid = totals.Count == 0
            || order.Lines.Any(line => line.Quantity <= 0 || line.SkuId == Guid.Empty)
            || totals.Any(total => total.Quantity > InputRules.MaxOnHand);
        var lines = invalid ? [] : totals.Select(total => new ReservationLine(total.SkuId, (int)total.Quantity)).ToList();

        var reservation = new Reservation(Guid.CreateVersion7(), order.OrderId, ReservationStatus.Held,
            order.PaymentDeadline + settings.Value.ReservationGrace, lines, null);
        // The insert claims the order: a concurrent OrderPlaced for the same order waits here and then
        // finds the order decided.
        if (!await Reservation.TryInsertAsync(transaction, reservation, now, cancellationToken))
        {
            logger.LogInformation("Order {OrderId} already has a reservation; OrderPlaced ignored", order.OrderId);
            return [];
        }

        if (invalid)
        {
            await reservation.MoveToAsync(transaction, ReservationStatus.Rejected, ReservationOutcome.InvalidOrder, now, cancellationToken);
            return [new StockRejected(order.OrderId, "The order has no lines, or a line with no SKU or an impossible quantity.", [])];
        }

        // Under these row locks the levels read are the latest, so the check below is exact.
        var levels = await StockRows.LockAsync(transaction, lines.Select(line => line.SkuId), cancellationToken);
        var shortSkuIds = lines
            .Where(line => !levels.TryGetValue(line.SkuId, out var level) || level.Available < line.Quantity)
            .Select(line => line.SkuId)
            .ToList();
        if (shortSkuIds.Count > 0)
        {
            await reservation.MoveToAsync(transaction, ReservationStatus.Rejected, ReservationOutcome.StockShort, now, cancellationToken);
            logger.LogInformation("Order {OrderId} rejected: {Count} SKU(s) short", order.OrderId, shortSkuIds.Count);
            return [new StockRejected(order.OrderId, $"Not enough stock for {shortSkuIds.Count} of {lines.Count} SKU(s).", shortSkuIds)];
        }

        var reserved = await StockRows.ApplyAsync(transaction, reservation.Changes(onHand: 0, reserved: 1),
            new LedgerEntry(LedgerReason.Reserve, null, order.OrderId, null, now), cancellationToken);
        logger.LogInformation("Order {OrderId} reserved as {ReservationId} until {ExpiresAt}", order.OrderId, reservation.Id, reservation.ExpiresAt);
        return [new StockReserved(order.OrderId, reservation.Id, reservation.ExpiresAt), .. Reservation.Availability(reserved)];
    }
}
