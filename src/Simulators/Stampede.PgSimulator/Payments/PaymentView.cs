namespace Stampede.PgSimulator.Payments;

/// <summary>The payment object the merchant API answers and webhooks carry: an immutable snapshot.
/// <c>balanceAmount</c> is what is captured and not yet refunded (0 before the confirm);
/// money was captured exactly when <c>approvedAt</c> is set.</summary>
public sealed record PaymentView(
    string PaymentKey,
    string OrderId,
    string OrderName,
    PaymentStatus Status,
    string? Method,
    string Currency,
    long TotalAmount,
    long BalanceAmount,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ApprovedAt,
    string? LastTransactionKey,
    string CheckoutUrl,
    IReadOnlyList<PaymentCancel> Cancels,
    PaymentFailure? Failure)
{
    public const string Krw = "KRW";
    public const string CardMethod = "CARD";

    public static PaymentView Of(Payment payment) => new(
        payment.PaymentKey,
        payment.OrderId,
        payment.OrderName,
        payment.Status,
        payment.ApprovedAt is null ? null : CardMethod,
        Krw,
        payment.TotalAmount,
        payment.BalanceAmount,
        payment.RequestedAt,
        payment.ApprovedAt,
        payment.LastTransactionKey,
        payment.CheckoutUrl,
        [.. payment.Cancels],
        payment.Failure);

    /// <summary>The status as it appears on the wire (READY, IN_PROGRESS, ...).</summary>
    public static string StatusName(PaymentStatus status) => status switch
    {
        PaymentStatus.Ready => "READY",
        PaymentStatus.InProgress => "IN_PROGRESS",
        PaymentStatus.Done => "DONE",
        PaymentStatus.Canceled => "CANCELED",
        PaymentStatus.PartialCanceled => "PARTIAL_CANCELED",
        PaymentStatus.Aborted => "ABORTED",
        PaymentStatus.Expired => "EXPIRED",
        _ => status.ToString(),
    };
}
