using Stampede.Contracts.Ordering;
using Stampede.Messaging;

namespace Stampede.Payment.Refunds;

/// <summary>Ordering says a captured payment does not pay any order (it came after expiry or
/// cancellation, or twice): the money goes back.</summary>
public sealed class RefundRequestedHandler(RefundPayment refunds) : IIntegrationEventHandler<RefundRequested>
{
    public Task HandleAsync(RefundRequested requested, MessageContext context, CancellationToken cancellationToken) =>
        refunds.RefundAsync(requested.OrderId, requested.PaymentId, requested.Amount, requested.Reason, context, cancellationToken);
}
