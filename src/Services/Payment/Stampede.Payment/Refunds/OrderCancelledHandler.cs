using Stampede.Contracts.Ordering;
using Stampede.Messaging;
using Stampede.Payment.Sessions;

namespace Stampede.Payment.Refunds;

/// <summary>The buyer cancelled. A paid order gets its money back; an unpaid one has its session
/// voided, so the buyer can no longer pay for a cancelled order.</summary>
public sealed class OrderCancelledHandler(RefundPayment refunds, VoidSession sessions) : IIntegrationEventHandler<OrderCancelled>
{
    public Task HandleAsync(OrderCancelled cancelled, MessageContext context, CancellationToken cancellationToken) =>
        cancelled.WasPaid
            ? refunds.RefundAsync(cancelled.OrderId, cancelled.PaymentId, cancelled.RefundAmount, cancelled.Reason, context, cancellationToken)
            : sessions.VoidAsync(cancelled.OrderId, "Order cancelled", context, cancellationToken);
}
