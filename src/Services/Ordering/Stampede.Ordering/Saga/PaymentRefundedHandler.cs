using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Money went back: a cancelling order is now cancelled; the refund of a late or extra
/// payment is only recorded.</summary>
public sealed class PaymentRefundedHandler(OrderStore orders, TimeProvider time, ILogger<PaymentRefundedHandler> logger)
    : IIntegrationEventHandler<PaymentRefunded>
{
    public async Task HandleAsync(PaymentRefunded refunded, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await orders.ChangeAsync(context.Transaction, refunded.OrderId,
            current => current.RecordRefund(refunded.PaymentId, refunded.Amount, time.GetUtcNow()), cancellationToken);
        if (order is null) logger.LogWarning("Refund {PaymentId} for unknown order {OrderId}; ignored", refunded.PaymentId, refunded.OrderId);
    }
}
