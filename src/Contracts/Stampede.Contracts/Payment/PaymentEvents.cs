namespace Stampede.Contracts.Payment;

/// <summary>The PG confirmed a payment whose amount equals the order total.</summary>
[EventName("payment.payment-captured.v1")]
public sealed record PaymentCaptured(Guid OrderId, Guid PaymentId, long Amount, string Currency) : IntegrationEvent;

/// <summary>The buyer declined or the PG refused the payment; nothing was captured.</summary>
[EventName("payment.payment-failed.v1")]
public sealed record PaymentFailed(Guid OrderId, Guid PaymentId, string Reason) : IntegrationEvent;

/// <summary>Money went back to the buyer (full or partial).</summary>
[EventName("payment.payment-refunded.v1")]
public sealed record PaymentRefunded(Guid OrderId, Guid PaymentId, long Amount, string Reason) : IntegrationEvent;
