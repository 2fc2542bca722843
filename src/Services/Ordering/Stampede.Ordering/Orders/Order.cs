using Stampede.Contracts;
using Stampede.Contracts.Ordering;

namespace Stampede.Ordering.Orders;

/// <summary>One line of an order, priced by catalog when the order was placed.</summary>
public sealed record OrderItem(Guid SkuId, string ProductName, string? OptionsLabel, int Quantity, long UnitPrice)
{
    public long LineTotal => Quantity * UnitPrice;
}

/// <summary>One entry of an order's state history.</summary>
public sealed record StatusChange(OrderStatus Status, DateTimeOffset At, string Reason);

/// <summary>What ordering decided about money payment captured for the order.</summary>
public enum PaymentDisposition
{
    /// <summary>It paid the order.</summary>
    Accepted,

    /// <summary>It goes back to the buyer; a refund was asked for.</summary>
    Refunding,

    /// <summary>Payment reported it refunded.</summary>
    Refunded,
}

public sealed record OrderPayment(Guid PaymentId, long Amount, PaymentDisposition Disposition, DateTimeOffset RecordedAt, DateTimeOffset UpdatedAt);

/// <summary>The order saga's state for one order. Every transition checks the current state and
/// refuses with a named <see cref="OrderRule"/>; each change records history and raises the
/// integration events the store writes to the outbox in the same transaction.</summary>
public sealed class Order
{
    private readonly List<OrderItem> lines;
    private readonly List<StatusChange> history;
    private readonly List<OrderPayment> payments;
    private readonly List<IntegrationEvent> pendingEvents = [];
    private int savedHistoryCount;

    private Order(Guid id, string orderNumber, Guid userId, OrderStatus status, IEnumerable<OrderItem> lines, long total,
        string currency, DateTimeOffset paymentDeadline, DateTimeOffset createdAt, IEnumerable<StatusChange> history,
        IEnumerable<OrderPayment> payments)
    {
        Id = id;
        OrderNumber = orderNumber;
        UserId = userId;
        Status = status;
        this.lines = [.. lines];
        Total = total;
        Currency = currency;
        PaymentDeadline = paymentDeadline;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
        this.history = [.. history];
        this.payments = [.. payments];
        savedHistoryCount = this.history.Count;
    }

    public Guid Id { get; }
    public string OrderNumber { get; }
    public Guid UserId { get; }
    public OrderStatus Status { get; private set; }
    public IReadOnlyList<OrderItem> Lines => lines;
    public long Total { get; }
    public string Currency { get; }
    public DateTimeOffset PaymentDeadline { get; }
    public Guid? ReservationId { get; private set; }
    public Guid? PaymentId { get; private set; }
    public string? PaymentUrl { get; private set; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public IReadOnlyList<StatusChange> History => history;
    public IReadOnlyList<OrderPayment> Payments => payments;

    /// <summary>The version last read from or written to the database (0 before the first insert).</summary>
    public int Version { get; private set; }

    /// <summary>True when something changed since the order was loaded or saved.</summary>
    public bool HasChanges { get; private set; }

    public IReadOnlyList<StatusChange> UnsavedHistory => history[savedHistoryCount..];
    public IReadOnlyList<IntegrationEvent> PendingEvents => pendingEvents;

    /// <summary>True while stock or payment is still awaited; only then the deadline applies.</summary>
    public bool IsUnpaid => Status is OrderStatus.AwaitingStock or OrderStatus.AwaitingPayment;

    public static Order Place(Guid id, string orderNumber, Guid userId, IReadOnlyList<OrderItem> lines, string currency,
        DateTimeOffset now, TimeSpan paymentWindow)
    {
        if (lines.Count == 0) throw new OrderRuleBrokenException(OrderRules.AnOrderHasLines, OrderStatus.AwaitingStock);
        var total = lines.Sum(line => line.LineTotal);
        var order = new Order(id, orderNumber, userId, OrderStatus.AwaitingStock, lines, total, currency, now + paymentWindow, now, [], []);
        order.MoveTo(OrderStatus.AwaitingStock, now, "Placed");
        order.Raise(new OrderPlaced(id, orderNumber, userId,
            [.. lines.Select(line => new OrderLine(line.SkuId, line.Quantity, line.UnitPrice))], total, currency, order.PaymentDeadline));
        return order;
    }

    /// <summary>Rebuilds an order read from the database.</summary>
    public static Order Restore(Guid id, string orderNumber, Guid userId, OrderStatus status, IEnumerable<OrderItem> lines, long total,
        string currency, DateTimeOffset paymentDeadline, Guid? reservationId, Guid? paymentId, string? paymentUrl,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, int version, IEnumerable<StatusChange> history, IEnumerable<OrderPayment> payments) =>
        new(id, orderNumber, userId, status, lines, total, currency, paymentDeadline, createdAt, history, payments)
        {
            ReservationId = reservationId,
            PaymentId = paymentId,
            PaymentUrl = paymentUrl,
            UpdatedAt = updatedAt,
            Version = version,
        };

    public void ReserveStock(Guid reservationId, DateTimeOffset now)
    {
        Require(Status == OrderStatus.AwaitingStock, OrderRules.StockIsReservedOnlyWhileAwaitingStock);
        ReservationId = reservationId;
        MoveTo(OrderStatus.AwaitingPayment, now, "Stock reserved");
    }

    public void RejectStock(string reason, DateTimeOffset now)
    {
        Require(Status == OrderStatus.AwaitingStock, OrderRules.StockIsRejectedOnlyWhileAwaitingStock);
        MoveTo(OrderStatus.Rejected, now, $"Stock rejected: {reason}");
    }

    public void AttachPaymentSession(Guid paymentId, string paymentUrl, DateTimeOffset now)
    {
        Require(Status == OrderStatus.AwaitingPayment, OrderRules.PaymentSessionOpensOnlyWhileAwaitingPayment);
        PaymentId = paymentId;
        PaymentUrl = paymentUrl;
        Touch(now);
    }

    /// <summary>Decides what a captured payment means for this order: it pays an order awaiting
    /// payment when the amount is the total and it was captured by the deadline; a payment seen
    /// before changes nothing; any other money (after the deadline, after cancellation, a second
    /// payment, a wrong amount) goes back to the buyer. A capture after the deadline also expires
    /// the order, since inventory may already have let its units go.</summary>
    public PaymentDisposition? AcceptCapturedPayment(Guid paymentId, long amount, DateTimeOffset capturedAt, DateTimeOffset now)
    {
        if (payments.Any(payment => payment.PaymentId == paymentId)) return null;

        var late = capturedAt > PaymentDeadline;
        if (Status == OrderStatus.AwaitingPayment && amount == Total && !late)
        {
            PaymentId = paymentId;
            payments.Add(new OrderPayment(paymentId, amount, PaymentDisposition.Accepted, now, now));
            MoveTo(OrderStatus.Paid, now, "Payment captured");
            Raise(new OrderPaid(Id, UserId, paymentId, Total));
            return PaymentDisposition.Accepted;
        }

        var reason = Status != OrderStatus.AwaitingPayment ? $"Payment captured while the order is {Status}"
            : late ? $"Payment captured at {capturedAt:O}, after the payment deadline {PaymentDeadline:O}"
            : $"Captured amount {amount} differs from the order total {Total}";
        payments.Add(new OrderPayment(paymentId, amount, PaymentDisposition.Refunding, now, now));
        Touch(now);
        Raise(new RefundRequested(Id, paymentId, amount, reason));
        if (late && IsUnpaid && now >= PaymentDeadline) Expire(now);
        return PaymentDisposition.Refunding;
    }

    /// <summary>Inventory could not hand over the goods of this paid order: the money goes back and
    /// the order ends as cancelled, with the reason in its history. Only a paid order changes; one
    /// the buyer is already cancelling is refunded by that cancellation.</summary>
    public void FailFulfilment(string reason, DateTimeOffset now)
    {
        Require(Status == OrderStatus.Paid, OrderRules.OnlyAPaidOrderFailsItsFulfilment);
        SetDisposition(PaymentId!.Value, PaymentDisposition.Refunding, now);
        var why = $"Stock could not be committed: {reason}";
        MoveTo(OrderStatus.Cancelling, now, why);
        Raise(new OrderCancelled(Id, WasPaid: true, PaymentId, RefundAmount: Total, why));
    }

    public void FailPayment(string reason, DateTimeOffset now)
    {
        Require(Status == OrderStatus.AwaitingPayment, OrderRules.PaymentFailsOnlyWhileAwaitingPayment);
        MoveTo(OrderStatus.Failed, now, $"Payment failed: {reason}");
        Raise(new OrderFailed(Id, reason));
    }

    public void Expire(DateTimeOffset now)
    {
        Require(IsUnpaid, OrderRules.OnlyAnUnpaidOrderExpires);
        Require(now >= PaymentDeadline, OrderRules.AnOrderExpiresOnlyAfterItsDeadline);
        MoveTo(OrderStatus.Expired, now, "Payment deadline passed");
        Raise(new OrderExpired(Id));
    }

    /// <summary>The buyer cancels: an unpaid order is cancelled at once; a paid one waits in
    /// Cancelling for its refund.</summary>
    public void Cancel(string reason, DateTimeOffset now)
    {
        Require(IsUnpaid || Status == OrderStatus.Paid, OrderRules.OnlyAnUnpaidOrPaidOrderCanBeCancelled);
        if (IsUnpaid)
        {
            MoveTo(OrderStatus.Cancelled, now, reason);
            Raise(new OrderCancelled(Id, WasPaid: false, PaymentId, RefundAmount: 0, reason));
            return;
        }

        SetDisposition(PaymentId!.Value, PaymentDisposition.Refunding, now);
        MoveTo(OrderStatus.Cancelling, now, reason);
        Raise(new OrderCancelled(Id, WasPaid: true, PaymentId, RefundAmount: Total, reason));
    }

    /// <summary>Payment refunded money of this order: a cancelling order whose payment came back is
    /// cancelled; any other refund (of a late payment) is only recorded.</summary>
    public void RecordRefund(Guid paymentId, long amount, DateTimeOffset now)
    {
        if (payments.Any(payment => payment.PaymentId == paymentId))
            SetDisposition(paymentId, PaymentDisposition.Refunded, now);
        else
            payments.Add(new OrderPayment(paymentId, amount, PaymentDisposition.Refunded, now, now));
        Touch(now);

        if (Status == OrderStatus.Cancelling && paymentId == PaymentId) MoveTo(OrderStatus.Cancelled, now, "Payment refunded");
    }

    /// <summary>Called by the store once the changes are written.</summary>
    public void MarkSaved()
    {
        Version++;
        savedHistoryCount = history.Count;
        pendingEvents.Clear();
        HasChanges = false;
    }

    private void SetDisposition(Guid paymentId, PaymentDisposition disposition, DateTimeOffset now)
    {
        var index = payments.FindIndex(payment => payment.PaymentId == paymentId);
        if (index >= 0) payments[index] = payments[index] with { Disposition = disposition, UpdatedAt = now };
    }

    private void Require(bool condition, OrderRule rule)
    {
        if (!condition) throw new OrderRuleBrokenException(rule, Status);
    }

    private void MoveTo(OrderStatus status, DateTimeOffset now, string reason)
    {
        Status = status;
        history.Add(new StatusChange(status, now, reason));
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        HasChanges = true;
    }

    private void Raise(IntegrationEvent @event) => pendingEvents.Add(@event with { OccurredAt = UpdatedAt });
}
