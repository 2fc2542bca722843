using Stampede.Contracts.Ordering;
using Stampede.Messaging;

namespace Stampede.Payment.Sessions;

/// <summary>The order's payment deadline passed unpaid: its session is voided.</summary>
public sealed class OrderExpiredHandler(VoidSession sessions) : IIntegrationEventHandler<OrderExpired>
{
    public Task HandleAsync(OrderExpired expired, MessageContext context, CancellationToken cancellationToken) =>
        sessions.VoidAsync(expired.OrderId, "Order expired", context, cancellationToken);
}
