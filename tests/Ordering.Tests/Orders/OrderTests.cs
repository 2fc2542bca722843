using Stampede.Contracts.Ordering;
using Stampede.Ordering.Orders;

namespace Stampede.Ordering.Tests.Orders;

/// <summary>The aggregate's rules on their own, without a database.</summary>
public sealed class OrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private static Order NewOrder() => Order.Place(Guid.NewGuid(), "ORD-20261122-000001", Guid.NewGuid(),
        [new OrderItem(Guid.NewGuid(), "Shirt", "M", 2, 10_000), new OrderItem(Guid.NewGuid(), "Socks", null, 1, 3_000)], "KRW", Now, Window);

    private static Order AwaitingPayment()
    {
        var order = NewOrder();
        order.ReserveStock(Guid.NewGuid(), Now);
        order.AttachPaymentSession(Guid.NewGuid(), "http://pg.test/x", Now);
        order.MarkSaved();
        return order;
    }

    private static Order Paid()
    {
        var order = AwaitingPayment();
        order.AcceptCapturedPayment(order.PaymentId!.Value, order.Total, Now, Now);
        order.MarkSaved();
        return order;
    }

    private static OrderRule BrokenRule(Action transition) => Should.Throw<OrderRuleBrokenException>(transition).Rule;

    [Fact]
    public void Placing_totals_the_lines_sets_the_deadline_and_raises_OrderPlaced()
    {
        var order = NewOrder();
        order.Status.ShouldBe(OrderStatus.AwaitingStock);
        order.Total.ShouldBe(23_000);
        order.PaymentDeadline.ShouldBe(Now + Window);
        order.UnsavedHistory.Single().Status.ShouldBe(OrderStatus.AwaitingStock);
        order.PendingEvents.Single().ShouldBeOfType<OrderPlaced>().Total.ShouldBe(23_000);
    }

    [Fact]
    public void An_order_without_lines_breaks_AnOrderHasLines() =>
        BrokenRule(() => Order.Place(Guid.NewGuid(), "ORD", Guid.NewGuid(), [], "KRW", Now, Window)).ShouldBe(OrderRules.AnOrderHasLines);

    [Fact]
    public void Reserving_stock_twice_breaks_StockIsReservedOnlyWhileAwaitingStock() =>
        BrokenRule(() => AwaitingPayment().ReserveStock(Guid.NewGuid(), Now)).ShouldBe(OrderRules.StockIsReservedOnlyWhileAwaitingStock);

    [Fact]
    public void Rejecting_stock_of_a_paid_order_breaks_StockIsRejectedOnlyWhileAwaitingStock() =>
        BrokenRule(() => Paid().RejectStock("short", Now)).ShouldBe(OrderRules.StockIsRejectedOnlyWhileAwaitingStock);

    [Fact]
    public void Attaching_a_session_before_stock_is_reserved_breaks_PaymentSessionOpensOnlyWhileAwaitingPayment() =>
        BrokenRule(() => NewOrder().AttachPaymentSession(Guid.NewGuid(), "http://pg.test/x", Now))
            .ShouldBe(OrderRules.PaymentSessionOpensOnlyWhileAwaitingPayment);

    [Fact]
    public void Failing_payment_of_an_order_awaiting_stock_breaks_PaymentFailsOnlyWhileAwaitingPayment() =>
        BrokenRule(() => NewOrder().FailPayment("declined", Now)).ShouldBe(OrderRules.PaymentFailsOnlyWhileAwaitingPayment);

    [Fact]
    public void Expiring_before_the_deadline_breaks_AnOrderExpiresOnlyAfterItsDeadline() =>
        BrokenRule(() => AwaitingPayment().Expire(Now + Window - TimeSpan.FromSeconds(1))).ShouldBe(OrderRules.AnOrderExpiresOnlyAfterItsDeadline);

    [Fact]
    public void Expiring_a_paid_order_breaks_OnlyAnUnpaidOrderExpires() =>
        BrokenRule(() => Paid().Expire(Now + Window)).ShouldBe(OrderRules.OnlyAnUnpaidOrderExpires);

    [Fact]
    public void Cancelling_an_expired_order_breaks_OnlyAnUnpaidOrPaidOrderCanBeCancelled()
    {
        var order = AwaitingPayment();
        order.Expire(Now + Window);
        order.MarkSaved();
        BrokenRule(() => order.Cancel("changed my mind", Now + Window)).ShouldBe(OrderRules.OnlyAnUnpaidOrPaidOrderCanBeCancelled);
        order.Status.ShouldBe(OrderStatus.Expired);
        order.HasChanges.ShouldBeFalse();
        order.PendingEvents.ShouldBeEmpty();
    }

    [Fact]
    public void A_capture_of_the_total_pays_an_order_awaiting_payment()
    {
        var order = AwaitingPayment();
        var paymentId = order.PaymentId!.Value;
        order.AcceptCapturedPayment(paymentId, order.Total, Now, Now).ShouldBe(PaymentDisposition.Accepted);
        order.Status.ShouldBe(OrderStatus.Paid);
        order.PendingEvents.Single().ShouldBeOfType<OrderPaid>().PaymentId.ShouldBe(paymentId);
    }

    [Fact]
    public void The_same_capture_twice_changes_nothing_the_second_time()
    {
        var order = Paid();
        order.AcceptCapturedPayment(order.PaymentId!.Value, order.Total, Now, Now).ShouldBeNull();
        order.HasChanges.ShouldBeFalse();
        order.PendingEvents.ShouldBeEmpty();
    }

    [Fact]
    public void A_capture_after_expiry_asks_for_a_refund_and_leaves_the_order_expired()
    {
        var order = AwaitingPayment();
        order.Expire(Now + Window);
        order.MarkSaved();
        var late = Guid.NewGuid();

        order.AcceptCapturedPayment(late, order.Total, Now + Window, Now + Window).ShouldBe(PaymentDisposition.Refunding);

        order.Status.ShouldBe(OrderStatus.Expired);
        var refund = order.PendingEvents.Single().ShouldBeOfType<RefundRequested>();
        (refund.PaymentId, refund.Amount).ShouldBe((late, order.Total));
    }

    [Fact]
    public void A_capture_made_after_the_deadline_is_refunded_and_expires_the_order_still_awaiting_payment()
    {
        var order = AwaitingPayment();
        var paymentId = order.PaymentId!.Value;
        var capturedAt = Now + Window + TimeSpan.FromSeconds(1);

        order.AcceptCapturedPayment(paymentId, order.Total, capturedAt, capturedAt).ShouldBe(PaymentDisposition.Refunding);

        order.Status.ShouldBe(OrderStatus.Expired);
        order.PendingEvents.Select(e => e.GetType()).ShouldBe([typeof(RefundRequested), typeof(OrderExpired)]);
        order.PendingEvents.OfType<RefundRequested>().Single().Reason.ShouldContain("after the payment deadline");
    }

    [Fact]
    public void A_capture_made_by_the_deadline_pays_the_order_even_when_it_arrives_later()
    {
        var order = AwaitingPayment();
        var capturedAt = Now + Window;

        order.AcceptCapturedPayment(order.PaymentId!.Value, order.Total, capturedAt, capturedAt + TimeSpan.FromMinutes(1))
            .ShouldBe(PaymentDisposition.Accepted);
        order.Status.ShouldBe(OrderStatus.Paid);
    }

    [Fact]
    public void A_paid_order_whose_stock_cannot_be_committed_is_refunded_and_ends_cancelled()
    {
        var order = Paid();
        order.FailFulfilment("sold out", Now);

        order.Status.ShouldBe(OrderStatus.Cancelling);
        var cancelled = order.PendingEvents.Single().ShouldBeOfType<OrderCancelled>();
        (cancelled.WasPaid, cancelled.RefundAmount, cancelled.PaymentId).ShouldBe((true, order.Total, order.PaymentId));
        cancelled.Reason.ShouldContain("sold out");
        order.MarkSaved();
        order.RecordRefund(order.PaymentId!.Value, order.Total, Now);
        order.Status.ShouldBe(OrderStatus.Cancelled);
        order.Payments.Single().Disposition.ShouldBe(PaymentDisposition.Refunded);
    }

    [Fact]
    public void Only_a_paid_order_fails_its_fulfilment()
    {
        BrokenRule(() => AwaitingPayment().FailFulfilment("sold out", Now)).ShouldBe(OrderRules.OnlyAPaidOrderFailsItsFulfilment);
    }

    [Fact]
    public void Cancelling_a_paid_order_waits_for_the_refund_of_its_payment()
    {
        var order = Paid();
        order.Cancel("buyer", Now);
        order.Status.ShouldBe(OrderStatus.Cancelling);
        var cancelled = order.PendingEvents.Single().ShouldBeOfType<OrderCancelled>();
        (cancelled.WasPaid, cancelled.RefundAmount, cancelled.PaymentId).ShouldBe((true, order.Total, order.PaymentId));
        order.MarkSaved();

        order.RecordRefund(Guid.NewGuid(), 1, Now);
        order.Status.ShouldBe(OrderStatus.Cancelling);
        order.RecordRefund(order.PaymentId!.Value, order.Total, Now);
        order.Status.ShouldBe(OrderStatus.Cancelled);
    }

    [Fact]
    public void Cancelling_an_unpaid_order_cancels_it_at_once()
    {
        var order = NewOrder();
        order.MarkSaved();
        order.Cancel("buyer", Now);
        order.Status.ShouldBe(OrderStatus.Cancelled);
        order.PendingEvents.Single().ShouldBeOfType<OrderCancelled>().WasPaid.ShouldBeFalse();
    }
}
