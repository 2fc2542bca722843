namespace Stampede.Payment.Pg;

/// <summary>The PG's payment object, as its merchant API answers and its webhooks carry it. Money was
/// captured exactly when <see cref="ApprovedAt"/> is set; <see cref="BalanceAmount"/> is what is
/// captured and not yet refunded.</summary>
public sealed record PgPayment(
    string PaymentKey,
    string OrderId,
    string Status,
    long TotalAmount,
    long BalanceAmount,
    DateTimeOffset? ApprovedAt,
    string? LastTransactionKey,
    string CheckoutUrl,
    IReadOnlyList<PgCancel>? Cancels,
    PgFailure? Failure)
{
    public bool WasCaptured => ApprovedAt is not null;

    public bool IsOpenForTheBuyer => Status is PgStatus.Ready or PgStatus.InProgress;

    /// <summary>The capture's transaction key, known only until the first refund replaces it.</summary>
    public string? CaptureTransactionKey => Cancels is null or { Count: 0 } ? LastTransactionKey : null;
}

/// <summary>One refund of a captured payment.</summary>
public sealed record PgCancel(string TransactionKey, long CancelAmount, string CancelReason, long RefundableAmount, DateTimeOffset CanceledAt);

/// <summary>Why the buyer's side failed (decline, expiry, void).</summary>
public sealed record PgFailure(string Code, string Message);

/// <summary>A payment the PG has just opened, and where to send the buyer.</summary>
public sealed record PgCreatedPayment(string PaymentKey, string OrderId, long Amount, string Status, string CheckoutUrl);

/// <summary>The PG's payment states, as it spells them.</summary>
public static class PgStatus
{
    public const string Ready = "READY";
    public const string InProgress = "IN_PROGRESS";
    public const string Done = "DONE";
    public const string Canceled = "CANCELED";
    public const string PartialCanceled = "PARTIAL_CANCELED";
    public const string Aborted = "ABORTED";
    public const string Expired = "EXPIRED";
}

/// <summary>The PG's error codes payment reacts to.</summary>
public static class PgErrorCodes
{
    public const string InvalidAmount = "INVALID_AMOUNT";
    public const string NotMatchesOrderId = "NOT_MATCHES_ORDER_ID";
    public const string DuplicatedOrderId = "DUPLICATED_ORDER_ID";
    public const string AlreadyProcessedPayment = "ALREADY_PROCESSED_PAYMENT";
    public const string AlreadyCanceledPayment = "ALREADY_CANCELED_PAYMENT";
    public const string NotCancelableAmount = "NOT_CANCELABLE_AMOUNT";
    public const string PaymentNotApproved = "PAYMENT_NOT_APPROVED";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string IdempotentRequestProcessing = "IDEMPOTENT_REQUEST_PROCESSING";
}
