using Stampede.Contracts;
using Stampede.Contracts.Payment;
using Stampede.Payment.Ledger;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Payments;

/// <summary>One order's payment: the session opened at the PG, and the money the PG moved for it.
/// The PG is the truth about money, so captures and refunds enter through <see cref="ApplyPgState"/>,
/// which is idempotent: applying the same PG state twice records nothing new. Each change appends
/// ledger rows and raises the event other services hear about, saved together.</summary>
public sealed class Payment
{
    private readonly List<LedgerEntry> ledger;
    private readonly List<IntegrationEvent> pendingEvents = [];
    private int savedLedgerCount;

    private Payment(Guid id, Guid orderId, string orderNumber, Guid userId, string orderName, long amount, string currency, string pgOrderId,
        string paymentKey, string paymentUrl, PaymentStatus status, long capturedAmount, long refundedAmount, string? failureReason,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, int version, IEnumerable<LedgerEntry> ledger)
    {
        Id = id;
        OrderId = orderId;
        OrderNumber = orderNumber;
        UserId = userId;
        OrderName = orderName;
        Amount = amount;
        Currency = currency;
        PgOrderId = pgOrderId;
        PaymentKey = paymentKey;
        PaymentUrl = paymentUrl;
        Status = status;
        CapturedAmount = capturedAmount;
        RefundedAmount = refundedAmount;
        FailureReason = failureReason;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        Version = version;
        this.ledger = [.. ledger];
        savedLedgerCount = this.ledger.Count;
    }

    public Guid Id { get; }
    public Guid OrderId { get; }
    public string OrderNumber { get; }
    public Guid UserId { get; }
    public string OrderName { get; }
    /// <summary>The order total the buyer must pay, in minor units.</summary>
    public long Amount { get; }
    public string Currency { get; }
    /// <summary>The order id as the PG knows it (the order's Guid in "N" format).</summary>
    public string PgOrderId { get; }
    public string PaymentKey { get; }
    /// <summary>The PG's checkout page for this payment.</summary>
    public string PaymentUrl { get; }
    public PaymentStatus Status { get; private set; }
    public long CapturedAmount { get; private set; }
    public long RefundedAmount { get; private set; }
    public string? FailureReason { get; private set; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>The version this payment was read at; saving checks nobody changed it since.</summary>
    public int Version { get; private set; }
    public IReadOnlyList<LedgerEntry> Ledger => ledger;

    public bool HasChanges { get; private set; }
    public IReadOnlyList<LedgerEntry> UnsavedLedger => ledger[savedLedgerCount..];
    public IReadOnlyList<IntegrationEvent> PendingEvents => pendingEvents;

    public bool WasCaptured => Status is PaymentStatus.Captured or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded;

    /// <summary>Captured and not yet refunded.</summary>
    public long Refundable => CapturedAmount - RefundedAmount;

    public static Payment Open(Guid id, Guid orderId, string orderNumber, Guid userId, string orderName, long amount, string currency,
        string pgOrderId, string paymentKey, string paymentUrl, DateTimeOffset now) =>
        new(id, orderId, orderNumber, userId, orderName, amount, currency, pgOrderId, paymentKey, paymentUrl, PaymentStatus.SessionOpen,
            0, 0, null, now, now, 0, []);

    public static Payment Restore(Guid id, Guid orderId, string orderNumber, Guid userId, string orderName, long amount, string currency,
        string pgOrderId, string paymentKey, string paymentUrl, PaymentStatus status, long capturedAmount, long refundedAmount,
        string? failureReason, DateTimeOffset createdAt, DateTimeOffset updatedAt, int version, IEnumerable<LedgerEntry> ledger) =>
        new(id, orderId, orderNumber, userId, orderName, amount, currency, pgOrderId, paymentKey, paymentUrl, status, capturedAmount,
            refundedAmount, failureReason, createdAt, updatedAt, version, ledger);

    /// <summary>The buyer came back from the PG having approved this payment's amount.</summary>
    public void RecordAuthorisation(DateTimeOffset now)
    {
        if (Status != PaymentStatus.SessionOpen || ledger.Any(e => e.Kind == LedgerKind.Authorised)) return;
        Append(new LedgerEntry(LedgerKind.Authorised, Amount, now, null, "Approved by the buyer at the PG"), now);
    }

    /// <summary>Brings the payment in line with what the PG reports: money it captured is recorded
    /// (once) and announced with <see cref="PaymentCaptured"/>, whatever the session's state; each refund
    /// it made is recorded (once, by its transaction key) with <see cref="PaymentRefunded"/>; a payment the
    /// buyer declined or let expire fails an open session (<see cref="PaymentFailed"/>); one voided at the
    /// PG voids it.</summary>
    public void ApplyPgState(PgPayment pg, DateTimeOffset now)
    {
        Require(pg.PaymentKey == PaymentKey, PaymentRules.PgStateBelongsToThisPayment);
        if (pg.WasCaptured && !WasCaptured) Capture(pg.TotalAmount, pg.CaptureTransactionKey, pg.ApprovedAt ?? now, now);

        foreach (var cancel in (pg.Cancels ?? []).OrderBy(c => c.CanceledAt))
        {
            if (ledger.Any(e => e.Kind == LedgerKind.Refunded && e.PgTransactionKey == cancel.TransactionKey)) continue;
            Refund(cancel.CancelAmount, cancel.TransactionKey, cancel.CancelReason, cancel.CanceledAt, now);
        }

        if (Status != PaymentStatus.SessionOpen) return;
        if (pg.Status is PgStatus.Aborted or PgStatus.Expired)
            Fail(pg.Failure is { } failure ? $"{failure.Code}: {failure.Message}" : $"The PG reports the payment {pg.Status}", now);
        else if (pg.Status == PgStatus.Canceled && !pg.WasCaptured)
            Void(pg.Failure?.Message ?? "Voided at the PG", now);
    }

    /// <summary>Closes a session nobody paid: the order expired or was cancelled. Nothing is announced
    /// (ordering decided it); money that still arrives later is captured and then refunded.</summary>
    public void Void(string reason, DateTimeOffset now)
    {
        Require(Status == PaymentStatus.SessionOpen, PaymentRules.OnlyAnOpenSessionIsVoided);
        Status = PaymentStatus.Voided;
        FailureReason = reason;
        Append(new LedgerEntry(LedgerKind.Voided, Amount, now, null, reason), now);
    }

    private void Capture(long amount, string? transactionKey, DateTimeOffset capturedAt, DateTimeOffset now)
    {
        if (!ledger.Any(e => e.Kind == LedgerKind.Authorised))
            Append(new LedgerEntry(LedgerKind.Authorised, amount, capturedAt, null, "Implied by the PG's capture"), now);
        Status = PaymentStatus.Captured;
        CapturedAmount = amount;
        Append(new LedgerEntry(LedgerKind.Captured, amount, capturedAt, transactionKey, null), now);
        pendingEvents.Add(new PaymentCaptured(OrderId, Id, amount, Currency));
    }

    private void Refund(long amount, string transactionKey, string reason, DateTimeOffset refundedAt, DateTimeOffset now)
    {
        Require(WasCaptured && amount > 0 && amount <= Refundable, PaymentRules.OnlyCapturedMoneyIsRefunded);
        RefundedAmount += amount;
        Status = RefundedAmount == CapturedAmount ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
        Append(new LedgerEntry(LedgerKind.Refunded, amount, refundedAt, transactionKey, reason), now);
        pendingEvents.Add(new PaymentRefunded(OrderId, Id, amount, reason));
    }

    private void Fail(string reason, DateTimeOffset now)
    {
        Status = PaymentStatus.Failed;
        FailureReason = reason;
        UpdatedAt = now;
        HasChanges = true;
        pendingEvents.Add(new PaymentFailed(OrderId, Id, reason));
    }

    private void Append(LedgerEntry entry, DateTimeOffset now)
    {
        ledger.Add(entry);
        UpdatedAt = now;
        HasChanges = true;
    }

    private void Require(bool condition, PaymentRule rule)
    {
        if (!condition) throw new PaymentRuleBrokenException(rule, Status);
    }

    /// <summary>Called by the store once the changes are written.</summary>
    public void MarkSaved()
    {
        savedLedgerCount = ledger.Count;
        pendingEvents.Clear();
        HasChanges = false;
        Version++;
    }
}
