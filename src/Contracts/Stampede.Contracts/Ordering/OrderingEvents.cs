namespace Stampede.Contracts.Ordering;

/// <summary>One priced line of an order. <paramref name="UnitPrice"/> is in the currency's minor unit.</summary>
public sealed record OrderLine(Guid SkuId, int Quantity, long UnitPrice);

/// <summary>A customer placed an order, priced by the server; inventory reserves its lines.</summary>
[EventName("ordering.order-placed.v1")]
public sealed record OrderPlaced(
    Guid OrderId, string OrderNumber, Guid UserId, IReadOnlyList<OrderLine> Lines, long Total, string Currency,
    DateTimeOffset PaymentDeadline) : IntegrationEvent;

/// <summary>The order's payment was captured and accepted; inventory commits the reservation.</summary>
[EventName("ordering.order-paid.v1")]
public sealed record OrderPaid(Guid OrderId, Guid UserId, Guid PaymentId, long Total) : IntegrationEvent;

/// <summary>The payment deadline passed unpaid; inventory releases, payment voids the session.</summary>
[EventName("ordering.order-expired.v1")]
public sealed record OrderExpired(Guid OrderId) : IntegrationEvent;

/// <summary>The order failed (payment declined or failed); inventory releases.</summary>
[EventName("ordering.order-failed.v1")]
public sealed record OrderFailed(Guid OrderId, string Reason) : IntegrationEvent;

/// <summary>The buyer cancelled. Unpaid: inventory releases. Paid (<paramref name="WasPaid"/>):
/// payment refunds <paramref name="RefundAmount"/> and inventory restocks.</summary>
[EventName("ordering.order-cancelled.v1")]
public sealed record OrderCancelled(Guid OrderId, bool WasPaid, Guid? PaymentId, long RefundAmount, string Reason) : IntegrationEvent;

/// <summary>A captured payment does not belong to a payable order (it arrived after expiry or
/// cancellation, or twice); payment refunds it.</summary>
[EventName("ordering.refund-requested.v1")]
public sealed record RefundRequested(Guid OrderId, Guid PaymentId, long Amount, string Reason) : IntegrationEvent;
