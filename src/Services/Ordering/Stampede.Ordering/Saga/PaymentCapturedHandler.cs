using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Money was captured: it pays an order awaiting payment (OrderPaid) when it was captured
/// by the deadline (the event's <c>OccurredAt</c>); money captured later, or for an order that
/// expired, was cancelled, failed or is already paid goes back (RefundRequested); a payment seen
/// before changes nothing.</summary>
public sealed class PaymentCapturedHandler(OrderStore orders, TimeProvider time, ILogger<PaymentCapturedHandler> logger)
    : IIntegrationEventHandler<PaymentCaptured>
{
    public async Task HandleAsync(PaymentCaptured captured, MessageContext context, CancellationToken cancellationToken)
    {
        PaymentDisposition? disposition = null;
        var order = await orders.ChangeAsync(context.Transaction, captured.OrderId,
            current => disposition = current.AcceptCapturedPayment(captured.PaymentId, captured.Amount, captured.OccurredAt, time.GetUtcNow()),
            cancellationToken);
        if (order is null)
        {
            logger.LogError("Payment {PaymentId} captured for unknown order {OrderId}; asking for a refund", captured.PaymentId, captured.OrderId);
            await context.PublishAsync(new RefundRequested(captured.OrderId, captured.PaymentId, captured.Amount, "No such order"), cancellationToken);
            return;
        }

        if (disposition == PaymentDisposition.Refunding)
        {
            logger.LogWarning("Payment {PaymentId} captured for order {OrderId} in {Status}; refund requested",
                captured.PaymentId, order.Id, order.Status);
        }
    }
}
