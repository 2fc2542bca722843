using Stampede.Contracts.Inventory;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Stock was short: the order is rejected. Inventory holds nothing of it, so nothing is published.</summary>
public sealed class StockRejectedHandler(OrderStore orders, TimeProvider time, ILogger<StockRejectedHandler> logger)
    : IIntegrationEventHandler<StockRejected>
{
    public async Task HandleAsync(StockRejected rejected, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await orders.ChangeAsync(context.Transaction, rejected.OrderId, current =>
        {
            // An order already cancelled or expired stays so.
            if (current.Status == OrderStatus.AwaitingStock) current.RejectStock(rejected.Reason, time.GetUtcNow());
        }, cancellationToken);
        if (order is null) logger.LogWarning("Stock rejected for unknown order {OrderId}; ignored", rejected.OrderId);
    }
}
