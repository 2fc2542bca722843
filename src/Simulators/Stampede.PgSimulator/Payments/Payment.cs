using System.Text.Json.Serialization;

namespace Stampede.PgSimulator.Payments;

/// <summary>Toss-style payment states, spelled on the wire as Toss spells them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    /// <summary>Created by the merchant; the buyer has not answered yet.</summary>
    [JsonStringEnumMemberName("READY")] Ready,
    /// <summary>Approved by the buyer; waiting for the merchant's confirm.</summary>
    [JsonStringEnumMemberName("IN_PROGRESS")] InProgress,
    /// <summary>Confirmed: the money is captured.</summary>
    [JsonStringEnumMemberName("DONE")] Done,
    /// <summary>Fully refunded, or voided before capture.</summary>
    [JsonStringEnumMemberName("CANCELED")] Canceled,
    /// <summary>Partly refunded; the rest is still captured.</summary>
    [JsonStringEnumMemberName("PARTIAL_CANCELED")] PartialCanceled,
    /// <summary>Declined by the buyer or the card company.</summary>
    [JsonStringEnumMemberName("ABORTED")] Aborted,
    /// <summary>Left unanswered or unconfirmed for too long.</summary>
    [JsonStringEnumMemberName("EXPIRED")] Expired,
}

/// <summary>One refund of a captured payment.</summary>
public sealed record PaymentCancel(string TransactionKey, long CancelAmount, string CancelReason, long RefundableAmount, DateTimeOffset CanceledAt);

/// <summary>A failure the buyer's side reported (decline, card rejection, expiry).</summary>
public sealed record PaymentFailure(string Code, string Message);

/// <summary>The payment aggregate. Every method checks the current state before changing it and
/// answers a <see cref="PgError"/> instead of changing anything when the change is not allowed.
/// Callers hold the payment's <see cref="Gate"/> around every call.</summary>
public sealed class Payment
{
    private readonly List<PaymentCancel> cancels = [];
    private readonly List<PaymentView> statusChanges = [];

    public Payment(string paymentKey, string orderId, string orderName, long amount, string successUrl, string failUrl,
        string? webhookUrl, string checkoutUrl, DateTimeOffset requestedAt, DateTimeOffset? validUntil = null)
    {
        ValidUntil = validUntil;
        PaymentKey = paymentKey;
        OrderId = orderId;
        OrderName = orderName;
        TotalAmount = amount;
        SuccessUrl = successUrl;
        FailUrl = failUrl;
        WebhookUrl = webhookUrl;
        CheckoutUrl = checkoutUrl;
        RequestedAt = requestedAt;
    }

    public Lock Gate { get; } = new();
    public string PaymentKey { get; }
    public string OrderId { get; }
    public string OrderName { get; }
    public long TotalAmount { get; }
    public string SuccessUrl { get; }
    public string FailUrl { get; }
    public string? WebhookUrl { get; }
    public string CheckoutUrl { get; }
    public DateTimeOffset RequestedAt { get; }

    /// <summary>The merchant's own end of the checkout, if earlier than the PG's.</summary>
    public DateTimeOffset? ValidUntil { get; }
    public PaymentStatus Status { get; private set; } = PaymentStatus.Ready;
    public DateTimeOffset? BuyerApprovedAt { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public long BalanceAmount { get; private set; }
    public string? LastTransactionKey { get; private set; }
    public PaymentFailure? Failure { get; private set; }
    public IReadOnlyList<PaymentCancel> Cancels => cancels;

    /// <summary>The payment has been declined or has expired, so its order id may be paid again.</summary>
    public bool IsFinishedWithoutCapture => Status is PaymentStatus.Aborted or PaymentStatus.Expired;

    public PaymentView View() => PaymentView.Of(this);

    /// <summary>Views of the payment after each status change since the last call, oldest first:
    /// what webhooks announce.</summary>
    public IReadOnlyList<PaymentView> TakeStatusChanges()
    {
        var changes = statusChanges.ToArray();
        statusChanges.Clear();
        return changes;
    }

    /// <summary>A checkout nobody answered, or an approval nobody confirmed, expires (Toss gives
    /// the merchant a few minutes to confirm after the buyer approves).</summary>
    public void ExpireIfDue(DateTimeOffset now, TimeSpan checkoutExpiry, TimeSpan confirmExpiry)
    {
        var due = Status switch
        {
            PaymentStatus.Ready => now - RequestedAt >= checkoutExpiry || now >= ValidUntil,
            PaymentStatus.InProgress => now - BuyerApprovedAt!.Value >= confirmExpiry,
            _ => false,
        };
        if (!due) return;
        Failure = Status == PaymentStatus.Ready
            ? new PaymentFailure(PgErrorCodes.PaymentExpired, "The buyer did not finish the checkout in time.")
            : new PaymentFailure(PgErrorCodes.PaymentExpired, "The merchant did not confirm the approved payment in time.");
        ChangeStatus(PaymentStatus.Expired);
    }

    /// <summary>The buyer approves. Approving again is harmless while the approval still stands.</summary>
    public PgError? Approve(DateTimeOffset now)
    {
        switch (Status)
        {
            case PaymentStatus.Ready:
                BuyerApprovedAt = now;
                Status = PaymentStatus.InProgress; // not announced: Toss sends no webhook until the merchant confirms
                return null;
            case PaymentStatus.InProgress or PaymentStatus.Done:
                return null;
            default:
                return NotOpenForTheBuyer();
        }
    }

    /// <summary>The buyer (or the card company, in decline mode) refuses. Declining again is harmless.</summary>
    public PgError? Decline(PaymentFailure failure)
    {
        switch (Status)
        {
            case PaymentStatus.Ready:
                Failure = failure;
                ChangeStatus(PaymentStatus.Aborted);
                return null;
            case PaymentStatus.Aborted:
                return null;
            default:
                return NotOpenForTheBuyer();
        }
    }

    /// <summary>The merchant confirms: the amount and order id must be the ones the payment was
    /// created with, and only an approved payment is captured.</summary>
    public PgError? Confirm(string orderId, long amount, DateTimeOffset now, string transactionKey)
    {
        if (orderId != OrderId)
            return PgError.Field(400, PgErrorCodes.NotMatchesOrderId, "orderId", "The orderId does not match the payment's order id.");
        if (amount != TotalAmount)
            return PgError.Field(400, PgErrorCodes.InvalidAmount, "amount", "The amount does not match the payment's amount.");
        switch (Status)
        {
            case PaymentStatus.InProgress:
                ApprovedAt = now;
                BalanceAmount = TotalAmount;
                LastTransactionKey = transactionKey;
                ChangeStatus(PaymentStatus.Done);
                return null;
            case PaymentStatus.Ready:
                return new PgError(409, PgErrorCodes.PaymentNotApproved, "The buyer has not approved this payment yet.");
            case PaymentStatus.Done or PaymentStatus.PartialCanceled:
                return new PgError(400, PgErrorCodes.AlreadyProcessedPayment, "The payment has already been confirmed.");
            case PaymentStatus.Canceled when ApprovedAt is not null:
                return new PgError(400, PgErrorCodes.AlreadyProcessedPayment, "The payment has already been confirmed and canceled.");
            default:
                return StateConflict();
        }
    }

    /// <summary>Refunds all of the balance, or part of it. Before capture there is nothing to
    /// refund, so a cancel then voids the checkout instead (the buyer can no longer approve).</summary>
    public PgError? Cancel(string reason, long? amount, DateTimeOffset now, string transactionKey)
    {
        switch (Status)
        {
            case PaymentStatus.Ready or PaymentStatus.InProgress:
                if (amount is not null)
                    return PgError.Field(400, PgErrorCodes.NotCancelableAmount, "cancelAmount", "Nothing has been captured yet, so only a full cancel (without cancelAmount) can void this payment.");
                Failure = new PaymentFailure(PgErrorCodes.PaymentCanceled, reason);
                ChangeStatus(PaymentStatus.Canceled);
                return null;
            case PaymentStatus.Done or PaymentStatus.PartialCanceled:
                var refund = amount ?? BalanceAmount;
                if (refund > BalanceAmount)
                    return PgError.Field(400, PgErrorCodes.NotCancelableAmount, "cancelAmount", $"The cancelAmount exceeds the balance of {BalanceAmount}.");
                BalanceAmount -= refund;
                LastTransactionKey = transactionKey;
                cancels.Add(new PaymentCancel(transactionKey, refund, reason, BalanceAmount, now));
                ChangeStatus(BalanceAmount == 0 ? PaymentStatus.Canceled : PaymentStatus.PartialCanceled);
                return null;
            case PaymentStatus.Canceled:
                return new PgError(400, PgErrorCodes.AlreadyCanceledPayment, "The payment has already been canceled.");
            default:
                return StateConflict();
        }
    }

    private void ChangeStatus(PaymentStatus status)
    {
        Status = status;
        statusChanges.Add(View());
    }

    private PgError NotOpenForTheBuyer() => Status switch
    {
        PaymentStatus.Aborted => new PgError(409, PgErrorCodes.PaymentAborted, "The payment has been declined."),
        PaymentStatus.Expired => new PgError(409, PgErrorCodes.PaymentExpired, "The checkout has expired."),
        PaymentStatus.Canceled when ApprovedAt is null => new PgError(409, PgErrorCodes.PaymentCanceled, "The merchant has voided this payment."),
        PaymentStatus.InProgress => new PgError(409, PgErrorCodes.AlreadyProcessedPayment, "The buyer has already approved this payment."),
        _ => new PgError(409, PgErrorCodes.AlreadyProcessedPayment, "The payment has already been processed."),
    };

    private PgError StateConflict() => Status switch
    {
        PaymentStatus.Aborted => new PgError(409, PgErrorCodes.PaymentAborted, "The payment has been declined."),
        PaymentStatus.Expired => new PgError(409, PgErrorCodes.PaymentExpired, "The payment has expired."),
        PaymentStatus.Canceled => new PgError(409, PgErrorCodes.PaymentCanceled, "The merchant has voided this payment."),
        _ => new PgError(409, PgErrorCodes.NotCancelablePayment, $"The payment cannot do that while {PaymentView.StatusName(Status)}."),
    };
}
