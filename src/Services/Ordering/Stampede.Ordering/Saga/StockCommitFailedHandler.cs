using Stampede.Contracts.Inventory;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Inventory could not commit a paid order's units: the order is refunded and ends
/// cancelled (OrderCancelled with <c>WasPaid</c>, which payment refunds). An order the buyer is
/// already cancelling, or one that ended otherwise, stays as it is.</summary>
public sealed class StockCommitFailedHandler(OrderStore orders, TimeProvider time, ILogger<StockCommitFailedHandler> logger)
    : IIntegrationEventHandler<StockCommitFailed>
{
    public async Task HandleAsync(StockCommitFailed failed, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await orders.ChangeAsync(context.Transaction, failed.OrderId, current =>
        {
            if (current.Status == OrderStatus.Paid) current.FailFulfilment(failed.Reason, time.GetUtcNow());
        }, cancellationToken);
        if (order is null) logger.LogWarning("Stock commit failed for unknown order {OrderId}; ignored", failed.OrderId);
        else logger.LogWarning("Order {OrderId} was paid but its stock could not be committed ({Reason}); it is {Status}",
            failed.OrderId, failed.Reason, order.Status);
    }
}
