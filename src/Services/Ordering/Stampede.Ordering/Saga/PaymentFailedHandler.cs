using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>The buyer declined or the PG refused: an order awaiting payment fails (OrderFailed, so
/// inventory releases). In any other state the failure changes nothing.</summary>
public sealed class PaymentFailedHandler(OrderStore orders, TimeProvider time, ILogger<PaymentFailedHandler> logger)
    : IIntegrationEventHandler<PaymentFailed>
{
    public async Task HandleAsync(PaymentFailed failed, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await orders.ChangeAsync(context.Transaction, failed.OrderId, current =>
        {
            if (current.Status == OrderStatus.AwaitingPayment) current.FailPayment(failed.Reason, time.GetUtcNow());
        }, cancellationToken);
        if (order is null) logger.LogWarning("Payment failed for unknown order {OrderId}; ignored", failed.OrderId);
    }
}
