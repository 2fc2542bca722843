using System.Net;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

public sealed class CancelRaceTests(OrderingApp app, ITestOutputHelper output) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task A_cancel_racing_a_payment_capture_has_exactly_one_winner_every_time()
    {
        const int rounds = 40;
        using var client = app.NewCustomer();
        var orders = await Task.WhenAll(Enumerable.Range(0, rounds).Select(_ => app.PlaceAwaitingPaymentAsync(client)));
        var captureLatency = await MeasureCaptureLatencyAsync(client);

        // Both at once per order, a few orders at a time (as many as ordering handles captures at
        // once); the cancels are staggered over the time a capture takes to be handled, so some
        // land before, some during and some after its handling.
        var cancels = new List<(Guid OrderId, HttpStatusCode Status)>();
        foreach (var batch in orders.Chunk(4))
        {
            cancels.AddRange(await Task.WhenAll(batch.Select(async (order, index) =>
            {
                var capture = Task.Run(() => app.Broker.PublishAsync(app.CaptureFor(order)));
                await Task.Delay(captureLatency * ((cancels.Count + index) % 10) / 10);
                using var response = await client.PostAsync($"/orders/{order.OrderId}/cancel", null);
                await capture;
                return (order.OrderId, response.StatusCode);
            })));
        }

        var cancelledUnpaid = 0;
        foreach (var (orderId, cancelStatus) in cancels)
        {
            // Settled once the capture is handled too: it either paid the order or asked for a refund.
            var settled = await WaitForCaptureHandledAsync(orderId);
            var history = settled.History.Select(change => change.Status).ToList();
            var paid = await app.OutboxCountAsync("ordering.order-paid.v1", orderId);
            var refunds = await app.OutboxCountAsync("ordering.refund-requested.v1", orderId);
            var cancelledEvents = await app.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.outbox WHERE event_name = 'ordering.order-cancelled.v1' AND payload->>'orderId' = @id AND (payload->>'wasPaid')::boolean = @wasPaid",
                new { id = orderId.ToString(), wasPaid = settled.Status == "Cancelling" });

            if (settled.Status == "Cancelled")
            {
                cancelledUnpaid++;
                cancelStatus.ShouldBe(HttpStatusCode.OK);
                history.ShouldBe(["AwaitingStock", "AwaitingPayment", "Cancelled"]);
                (paid, refunds, cancelledEvents).ShouldBe((0L, 1L, 1L), $"order {orderId}: cancelled before payment");
            }
            else
            {
                settled.Status.ShouldBe("Cancelling");
                cancelStatus.ShouldBe(HttpStatusCode.Accepted);
                history.ShouldBe(["AwaitingStock", "AwaitingPayment", "Paid", "Cancelling"]);
                (paid, refunds, cancelledEvents).ShouldBe((1L, 0L, 1L), $"order {orderId}: paid, then cancelling");
            }
        }

        output.WriteLine($"{cancelledUnpaid} of {rounds} cancels won before the capture; {rounds - cancelledUnpaid} came after it " +
                         $"(capture latency {captureLatency.TotalMilliseconds:0} ms)");
    }

    private async Task<TimeSpan> MeasureCaptureLatencyAsync(HttpClient client)
    {
        var order = await app.PlaceAwaitingPaymentAsync(client);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await app.Broker.PublishAsync(app.CaptureFor(order));
        await app.WaitForStatusAsync(order.OrderId, "Paid");
        return started.Elapsed;
    }

    private async Task<Ordering.Orders.OrderDetails> WaitForCaptureHandledAsync(Guid orderId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var payments = await app.ScalarAsync<long>("SELECT count(*) FROM order_payments WHERE order_id = @orderId", new { orderId });
            var order = await app.OrderAsync(orderId);
            if (payments > 0 && order.Status is "Cancelled" or "Cancelling") return order;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Order {orderId} did not settle ({order.Status}).");
            await Task.Delay(25);
        }
    }
}
