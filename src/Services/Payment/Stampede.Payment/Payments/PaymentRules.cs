namespace Stampede.Payment.Payments;

/// <summary>An invariant of the payment aggregate, named so callers and tests can tell which one broke.</summary>
public sealed record PaymentRule(string Name, string Message);

/// <summary>The changes a payment refuses.</summary>
public static class PaymentRules
{
    public static readonly PaymentRule PgStateBelongsToThisPayment = new(
        nameof(PgStateBelongsToThisPayment), "The PG's payment is not this payment (another payment key).");

    public static readonly PaymentRule OnlyCapturedMoneyIsRefunded = new(
        nameof(OnlyCapturedMoneyIsRefunded), "A refund needs a capture, and refunds never exceed what was captured.");

    public static readonly PaymentRule OnlyAnOpenSessionIsVoided = new(
        nameof(OnlyAnOpenSessionIsVoided), "Only a session nobody has paid or failed yet can be voided.");
}

/// <summary>Thrown when a change would break a <see cref="PaymentRule"/>; nothing changed.</summary>
public sealed class PaymentRuleBrokenException(PaymentRule rule, PaymentStatus status)
    : InvalidOperationException($"{rule.Message} (the payment is {status})")
{
    public PaymentRule Rule { get; } = rule;

    public PaymentStatus Status { get; } = status;
}
