namespace Stampede.Payment.Payments;

/// <summary>Where a payment stands. SessionOpen → Captured → PartiallyRefunded / Refunded;
/// SessionOpen → Failed or Voided; and money the PG reports captured is recorded even for a Failed or
/// Voided session (ordering then asks for the refund).</summary>
public enum PaymentStatus
{
    SessionOpen,
    Captured,
    PartiallyRefunded,
    Refunded,
    Failed,
    Voided,
}
