using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

/// <summary>Inventory could not commit a paid order's stock: the order never stays paid without
/// goods; it is refunded and ends cancelled with the reason.</summary>
public sealed class StockCommitFailedTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task A_paid_order_whose_stock_cannot_be_committed_is_refunded_and_ends_cancelled()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client, price: 21_000);
        var paymentId = app.Payment.SessionOf(order.OrderId).PaymentId;

        await app.Broker.PublishAsync(new StockCommitFailed(order.OrderId, "The reservation expired and the stock is sold out."));

        var cancelled = await app.Broker.WaitForAsync<OrderCancelled>(e => e.OrderId == order.OrderId);
        (cancelled.WasPaid, cancelled.PaymentId, cancelled.RefundAmount).ShouldBe((true, (Guid?)paymentId, 21_000L));
        cancelled.Reason.ShouldContain("sold out");
        (await app.WaitForStatusAsync(order.OrderId, "Cancelling")).History.Last().Reason.ShouldContain("Stock could not be committed");

        await app.Broker.PublishAsync(new PaymentRefunded(order.OrderId, paymentId, 21_000, cancelled.Reason));
        var done = await app.WaitForStatusAsync(order.OrderId, "Cancelled");
        done.History.Select(change => change.Status).ShouldBe(["AwaitingStock", "AwaitingPayment", "Paid", "Cancelling", "Cancelled"]);
    }

    [Fact]
    public async Task A_commit_failure_for_an_order_the_buyer_is_cancelling_asks_for_no_second_refund()
    {
        using var client = app.NewCustomer();
        var order = await app.PlacePaidAsync(client);
        (await client.PostAsync($"/orders/{order.OrderId}/cancel", null)).EnsureSuccessStatusCode();
        await app.Broker.WaitForAsync<OrderCancelled>(e => e.OrderId == order.OrderId);

        var failed = new StockCommitFailed(order.OrderId, "sold out");
        await app.Broker.PublishAsync(failed);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await app.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox WHERE message_id = @id", new { id = failed.EventId }) == 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "ordering handles StockCommitFailed");
            await Task.Delay(50);
        }

        app.Broker.Seen<OrderCancelled>(e => e.OrderId == order.OrderId).Count.ShouldBe(1);
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("Cancelling");
    }
}
