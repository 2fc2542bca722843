using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

public sealed class SagaTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task Happy_path_reserved_stock_opens_a_payment_session_and_a_capture_pays_the_order()
    {
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        var placed = await app.PlaceSimpleAsync(client, price: 25_000, quantity: 2);
        await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == placed.OrderId);

        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        var awaiting = await app.WaitForOrderAsync(placed.OrderId, order => order.PaymentUrl is not null);

        awaiting.Status.ShouldBe("AwaitingPayment");
        var session = app.Payment.SessionOf(placed.OrderId);
        awaiting.PaymentUrl.ShouldBe(session.PaymentUrl);
        var asked = app.Payment.Requests.Single(request => request.OrderId == placed.OrderId);
        asked.ShouldBe(new Infrastructure.PaymentDouble.SessionRequest(placed.OrderId, placed.OrderNumber, 50_000, "KRW", "Linen shirt", userId, awaiting.PaymentDeadline));

        await app.Broker.PublishAsync(new PaymentCaptured(placed.OrderId, session.PaymentId, 50_000, "KRW"));
        var paid = await app.WaitForStatusAsync(placed.OrderId, "Paid");

        var orderPaid = await app.Broker.WaitForAsync<OrderPaid>(e => e.OrderId == placed.OrderId);
        orderPaid.ShouldBe(new OrderPaid(placed.OrderId, userId, session.PaymentId, 50_000) { EventId = orderPaid.EventId, OccurredAt = orderPaid.OccurredAt });
        paid.History.Select(change => change.Status).ShouldBe(["AwaitingStock", "AwaitingPayment", "Paid"]);
        paid.History.Select(change => change.At).ShouldBeInOrder();
    }

    [Fact]
    public async Task Stock_rejected_rejects_the_order_and_asks_payment_nothing()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);

        await app.Broker.PublishAsync(new StockRejected(placed.OrderId, "Insufficient stock", [Guid.NewGuid()]));
        var rejected = await app.WaitForStatusAsync(placed.OrderId, "Rejected");

        rejected.History.Last().Reason.ShouldContain("Insufficient stock");
        app.Payment.Requests.ShouldNotContain(request => request.OrderId == placed.OrderId);
        (await app.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE payload->>'orderId' = @id AND event_name <> 'ordering.order-placed.v1'",
            new { id = placed.OrderId.ToString() })).ShouldBe(0);
    }

    [Fact]
    public async Task A_failed_payment_fails_the_order_and_publishes_OrderFailed()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client);

        await app.Broker.PublishAsync(new PaymentFailed(order.OrderId, app.Payment.SessionOf(order.OrderId).PaymentId, "Card declined"));

        var failed = await app.WaitForStatusAsync(order.OrderId, "Failed");
        failed.History.Last().Reason.ShouldContain("Card declined");
        (await app.Broker.WaitForAsync<OrderFailed>(e => e.OrderId == order.OrderId)).Reason.ShouldBe("Card declined");
    }

    [Fact]
    public async Task A_redelivered_capture_pays_once_and_publishes_OrderPaid_once()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client);
        var capture = app.CaptureFor(order);

        await app.Broker.PublishAsync(capture);
        await app.Broker.PublishAsync(capture);
        // The PG may report the same capture again as a new event (webhook and return both).
        await app.Broker.PublishAsync(capture with { EventId = Guid.NewGuid() });
        await app.WaitForStatusAsync(order.OrderId, "Paid");
        await Task.Delay(Settle);

        (await app.OutboxCountAsync("ordering.order-paid.v1", order.OrderId)).ShouldBe(1);
        (await app.OutboxCountAsync("ordering.refund-requested.v1", order.OrderId)).ShouldBe(0);
        app.Broker.Seen<OrderPaid>(e => e.OrderId == order.OrderId).Count.ShouldBe(1);
        (await app.OrderAsync(order.OrderId)).History.Count(change => change.Status == "Paid").ShouldBe(1);
    }

    [Fact]
    public async Task A_redelivered_stock_reservation_opens_one_payment_session()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        var reserved = new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20));

        await app.Broker.PublishAsync(reserved);
        await app.WaitForOrderAsync(placed.OrderId, order => order.PaymentUrl is not null);
        await app.Broker.PublishAsync(reserved);
        await app.Broker.PublishAsync(reserved with { EventId = Guid.NewGuid() });
        await Task.Delay(Settle);

        app.Payment.Requests.Count(request => request.OrderId == placed.OrderId).ShouldBe(1);
        (await app.OrderAsync(placed.OrderId)).History.Count(change => change.Status == "AwaitingPayment").ShouldBe(1);
    }

    [Fact]
    public async Task A_second_payment_for_a_paid_order_is_refunded()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client);
        var second = new PaymentCaptured(order.OrderId, Guid.NewGuid(), order.Total, "KRW");

        await app.Broker.PublishAsync(second);

        var refund = await app.Broker.WaitForAsync<RefundRequested>(e => e.OrderId == order.OrderId);
        refund.PaymentId.ShouldBe(second.PaymentId);
        refund.Amount.ShouldBe(order.Total);
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Paid");
        (await app.OutboxCountAsync("ordering.order-paid.v1", order.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_capture_of_the_wrong_amount_is_refunded_and_the_order_still_awaits_payment()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client, price: 30_000);

        await app.Broker.PublishAsync(app.CaptureFor(order, amount: 100));

        var refund = await app.Broker.WaitForAsync<RefundRequested>(e => e.OrderId == order.OrderId);
        refund.Amount.ShouldBe(100);
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("AwaitingPayment");
        app.Broker.Seen<OrderPaid>(e => e.OrderId == order.OrderId).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_capture_for_an_unknown_order_is_refunded()
    {
        var capture = new PaymentCaptured(Guid.NewGuid(), Guid.NewGuid(), 5_000, "KRW");
        await app.Broker.PublishAsync(capture);
        var refund = await app.Broker.WaitForAsync<RefundRequested>(e => e.OrderId == capture.OrderId);
        refund.PaymentId.ShouldBe(capture.PaymentId);
        refund.Amount.ShouldBe(5_000);
    }

    [Fact]
    public async Task A_payment_failure_after_the_order_was_paid_changes_nothing()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client);

        await app.Broker.PublishAsync(new PaymentFailed(order.OrderId, Guid.NewGuid(), "Late decline"));
        await Task.Delay(Settle);

        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Paid");
        (await app.OutboxCountAsync("ordering.order-failed.v1", order.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task Stock_reserved_for_a_rejected_order_changes_nothing()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        await app.Broker.PublishAsync(new StockRejected(placed.OrderId, "Short", []));
        await app.WaitForStatusAsync(placed.OrderId, "Rejected");

        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        await Task.Delay(Settle);

        (await app.OrderAsync(placed.OrderId)).Status.ShouldBe("Rejected");
        app.Payment.Requests.ShouldNotContain(request => request.OrderId == placed.OrderId);
    }
}
