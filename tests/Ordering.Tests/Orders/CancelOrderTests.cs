using System.Net;
using System.Net.Http.Json;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Orders;

public sealed class CancelOrderTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task Cancelling_an_order_awaiting_stock_cancels_it_and_publishes_an_unpaid_OrderCancelled()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);

        using var response = await client.PostAsync($"/orders/{placed.OrderId}/cancel", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<CancelledOrder>())!.Status.ShouldBe("Cancelled");
        var cancelled = await app.Broker.WaitForAsync<OrderCancelled>(e => e.OrderId == placed.OrderId);
        cancelled.WasPaid.ShouldBeFalse();
        cancelled.RefundAmount.ShouldBe(0);
        var order = (await client.GetFromJsonAsync<OrderDetails>($"/orders/{placed.OrderId}"))!;
        order.History.Select(change => change.Status).ShouldBe(["AwaitingStock", "Cancelled"]);
    }

    [Fact]
    public async Task Cancelling_an_order_awaiting_payment_cancels_it_naming_the_open_payment()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client);

        using var response = await client.PostAsync($"/orders/{order.OrderId}/cancel", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cancelled = await app.Broker.WaitForAsync<OrderCancelled>(e => e.OrderId == order.OrderId);
        cancelled.WasPaid.ShouldBeFalse();
        cancelled.PaymentId.ShouldBe(app.Payment.SessionOf(order.OrderId).PaymentId);
    }

    [Fact]
    public async Task Cancelling_a_paid_order_waits_for_the_refund_then_is_cancelled()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client, price: 18_000);
        var paymentId = app.Payment.SessionOf(order.OrderId).PaymentId;

        using var response = await client.PostAsync($"/orders/{order.OrderId}/cancel", null);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await response.Content.ReadFromJsonAsync<CancelledOrder>())!.Status.ShouldBe("Cancelling");
        var cancelled = await app.Broker.WaitForAsync<OrderCancelled>(e => e.OrderId == order.OrderId);
        cancelled.WasPaid.ShouldBeTrue();
        cancelled.PaymentId.ShouldBe(paymentId);
        cancelled.RefundAmount.ShouldBe(18_000);

        await app.Broker.PublishAsync(new PaymentRefunded(order.OrderId, paymentId, 18_000, "Cancelled by the buyer"));
        var done = await app.WaitForStatusAsync(order.OrderId, "Cancelled");

        done.History.Select(change => change.Status).ShouldBe(["AwaitingStock", "AwaitingPayment", "Paid", "Cancelling", "Cancelled"]);
        (await app.ScalarAsync<string>("SELECT disposition FROM order_payments WHERE payment_id = @paymentId", new { paymentId })).ShouldBe("Refunded");
    }

    [Fact]
    public async Task Cancelling_twice_is_a_conflict_the_second_time()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);

        (await client.PostAsync($"/orders/{placed.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var again = await client.PostAsync($"/orders/{placed.OrderId}/cancel", null);

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.OutboxCountAsync("ordering.order-cancelled.v1", placed.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_rejected_or_cancelling_order_cannot_be_cancelled()
    {
        using var client = app.NewCustomer();
        var rejected = await app.PlaceSimpleAsync(client);
        await app.Broker.PublishAsync(new StockRejected(rejected.OrderId, "Short", []));
        await app.WaitForStatusAsync(rejected.OrderId, "Rejected");
        var cancelling = await app.PlacePaidAsync(client);
        (await client.PostAsync($"/orders/{cancelling.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        (await client.PostAsync($"/orders/{rejected.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PostAsync($"/orders/{cancelling.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.OutboxCountAsync("ordering.order-cancelled.v1", cancelling.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_payment_captured_after_cancellation_is_refunded()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceAwaitingPaymentAsync(client);
        (await client.PostAsync($"/orders/{order.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await app.Broker.PublishAsync(app.CaptureFor(order));

        var refund = await app.Broker.WaitForAsync<RefundRequested>(e => e.OrderId == order.OrderId);
        refund.Amount.ShouldBe(order.Total);
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Cancelled");
        app.Broker.Seen<OrderPaid>(e => e.OrderId == order.OrderId).ShouldBeEmpty();
    }

    [Fact]
    public async Task Stock_reserved_after_cancellation_opens_no_payment_session()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        (await client.PostAsync($"/orders/{placed.OrderId}/cancel", null)).EnsureSuccessStatusCode();

        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        await Task.Delay(600);

        (await app.OrderAsync(placed.OrderId)).Status.ShouldBe("Cancelled");
        app.Payment.Requests.ShouldNotContain(request => request.OrderId == placed.OrderId);
    }
}
