using System.Net;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

/// <summary>Ordering with a 2-second payment deadline and its deadline job running.</summary>
public sealed class ShortDeadlineApp : OrderingApp
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    protected override TimeSpan PaymentDeadline => Deadline;

    protected override TimeSpan DeadlineJobInterval => TimeSpan.FromMilliseconds(200);
}

public sealed class PaymentDeadlineTests(ShortDeadlineApp app) : IClassFixture<ShortDeadlineApp>
{
    [Fact]
    public async Task An_order_unpaid_past_its_deadline_expires_and_a_later_capture_is_refunded()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client, price: 40_000);
        order.PaymentDeadline.ShouldBeInRange(order.CreatedAt + ShortDeadlineApp.Deadline - TimeSpan.FromMilliseconds(1),
            order.CreatedAt + ShortDeadlineApp.Deadline + TimeSpan.FromMilliseconds(1));

        var expired = await app.WaitForStatusAsync(order.OrderId, "Expired", TimeSpan.FromSeconds(60));

        expired.History.Last().At.ShouldBeGreaterThanOrEqualTo(order.PaymentDeadline);
        await app.Broker.WaitForAsync<OrderExpired>(e => e.OrderId == order.OrderId);

        await app.Broker.PublishAsync(app.CaptureFor(order));
        var refund = await app.Broker.WaitForAsync<RefundRequested>(e => e.OrderId == order.OrderId);

        refund.PaymentId.ShouldBe(app.Payment.SessionOf(order.OrderId).PaymentId);
        refund.Amount.ShouldBe(40_000);
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Expired");
        app.Broker.Seen<OrderPaid>(e => e.OrderId == order.OrderId).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_order_still_awaiting_stock_expires_too_and_a_late_reservation_opens_no_session()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);

        await app.WaitForStatusAsync(placed.OrderId, "Expired", TimeSpan.FromSeconds(60));
        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(1)));
        await Task.Delay(600);

        (await app.OrderAsync(placed.OrderId)).Status.ShouldBe("Expired");
        app.Payment.Requests.ShouldNotContain(request => request.OrderId == placed.OrderId);
        (await app.OutboxCountAsync("ordering.order-expired.v1", placed.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_paid_order_never_expires()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client);

        await Task.Delay(ShortDeadlineApp.Deadline + TimeSpan.FromMilliseconds(600));

        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Paid");
        (await app.OutboxCountAsync("ordering.order-expired.v1", order.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task An_expired_order_cannot_be_cancelled()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        await app.WaitForStatusAsync(placed.OrderId, "Expired", TimeSpan.FromSeconds(60));

        (await client.PostAsync($"/orders/{placed.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }
}
