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
        order.AcceptCapturedPayment(order.PaymentId!.Value, order.Total, Now);
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
        order.AcceptCapturedPayment(paymentId, order.Total, Now).ShouldBe(PaymentDisposition.Accepted);
        order.Status.ShouldBe(OrderStatus.Paid);
        order.PendingEvents.Single().ShouldBeOfType<OrderPaid>().PaymentId.ShouldBe(paymentId);
    }

    [Fact]
    public void The_same_capture_twice_changes_nothing_the_second_time()
    {
        var order = Paid();
        order.AcceptCapturedPayment(order.PaymentId!.Value, order.Total, Now).ShouldBeNull();
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

        order.AcceptCapturedPayment(late, order.Total, Now + Window).ShouldBe(PaymentDisposition.Refunding);

        order.Status.ShouldBe(OrderStatus.Expired);
        var refund = order.PendingEvents.Single().ShouldBeOfType<RefundRequested>();
        (refund.PaymentId, refund.Amount).ShouldBe((late, order.Total));
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
