using System.Text.Json;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Messaging;
using Stampede.Payment.Tests.Infrastructure;
using Stampede.Testing;

namespace Stampede.Payment.Tests.Refunds;

public sealed class RefundTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task A_refund_request_refunds_at_the_PG_and_announces_PaymentRefunded()
    {
        var session = await app.CapturedSessionAsync(amount: 50_000);

        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 50_000, "Paid after expiry"));

        var pg = await app.Pg.PaymentOfOrderAsync(session.OrderId);
        pg.GetProperty("status").GetString().ShouldBe("CANCELED");
        pg.GetProperty("balanceAmount").GetInt64().ShouldBe(0);
        var refunded = await app.Broker.WaitForAsync<PaymentRefunded>(e => e.OrderId == session.OrderId);
        refunded.ShouldBe(new PaymentRefunded(session.OrderId, session.PaymentId, 50_000, "Paid after expiry")
        {
            EventId = refunded.EventId, OccurredAt = refunded.OccurredAt,
        });
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Refunded");
        stored.RefundedAmount.ShouldBe(50_000);
        stored.Ledger.ShouldBe(["authorised", "captured", "refunded"]);
        // The PG's CANCELED webhook arrives as well and must not record the refund again.
        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_cancelled_paid_order_is_refunded()
    {
        var session = await app.CapturedSessionAsync(amount: 20_000);

        await app.PublishAndWaitAsync(new OrderCancelled(session.OrderId, WasPaid: true, session.PaymentId, 20_000, "Cancelled by the buyer"));

        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        (await app.Broker.WaitForAsync<PaymentRefunded>(e => e.OrderId == session.OrderId)).Reason.ShouldBe("Cancelled by the buyer");
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Refunded");
    }

    [Fact]
    public async Task A_redelivered_refund_request_refunds_once()
    {
        var session = await app.CapturedSessionAsync(amount: 11_000);
        var request = new RefundRequested(session.OrderId, session.PaymentId, 11_000, "Paid twice");

        await app.Broker.PublishAsync(request);
        await app.Broker.PublishAsync(request);
        await app.WaitForHandledAsync(request.EventId);

        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
        (await app.Pg.PaymentOfOrderAsync(session.OrderId)).GetProperty("cancels").GetArrayLength().ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Ledger.Count(kind => kind == "refunded").ShouldBe(1);
    }

    [Fact]
    public async Task A_second_request_for_a_refunded_payment_refunds_nothing()
    {
        var session = await app.CapturedSessionAsync(amount: 14_000);
        await app.PublishAndWaitAsync(new OrderCancelled(session.OrderId, WasPaid: true, session.PaymentId, 14_000, "Cancelled by the buyer"));

        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 14_000, "Order already cancelled"));

        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
        (await app.Pg.PaymentOfOrderAsync(session.OrderId)).GetProperty("cancels").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Partial_refunds_add_up_to_the_capture()
    {
        var session = await app.CapturedSessionAsync(amount: 30_000);

        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 10_000, "One item returned"));
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("PartiallyRefunded");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("PARTIAL_CANCELED");
        // More than is left: only the rest goes back.
        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 30_000, "Everything returned"));

        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Refunded");
        stored.RefundedAmount.ShouldBe(30_000);
        await app.Broker.WaitForAsync<PaymentRefunded>(e => e.OrderId == session.OrderId && e.Amount == 20_000);
        (await app.Pg.PaymentOfOrderAsync(session.OrderId)).GetProperty("balanceAmount").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task A_refund_for_a_payment_never_captured_refunds_and_announces_nothing()
    {
        var session = await app.OpenSessionAsync(amount: 8_000);

        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 8_000, "Nothing to give back"));

        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("SessionOpen");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("READY");
        (await app.OutboxCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_refund_the_PG_fails_is_retried_until_it_succeeds_once()
    {
        var session = await app.CapturedSessionAsync(amount: 19_000);
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "cancel", orderId = session.OrderId.ToString("N"), count = 2 });

        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 19_000, "Paid after expiry"));

        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Refunded");
    }

    [Fact]
    public async Task A_refund_while_the_PG_is_down_is_retried_past_the_retry_budget_and_done_once_the_PG_is_back()
    {
        var session = await app.CapturedSessionAsync(amount: 17_000);
        using var counters = new MessagingCounters(app.MessagingName);
        var request = new RefundRequested(session.OrderId, session.PaymentId, 17_000, "Paid after expiry");
        app.PgLink.Cut();
        try
        {
            await app.Broker.PublishAsync(request);

            // The budget is the first try and three retries; an outage gets as many as it lasts.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (counters.TransientRetried < 8)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Fewer than eight transient retries while the PG is down: {counters}");
                await Task.Delay(50);
            }
            counters.Retried.ShouldBe(0);
            counters.DeadLettered.ShouldBe(0);
            await using var deadLetters = await DeadLetterQueue.ConnectAsync(TestServers.RabbitMq, CancellationToken.None);
            (await deadLetters.ListAsync(app.MessagingName, 50, CancellationToken.None)).ShouldNotContain(d => d.MessageId == request.EventId.ToString());
            (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Captured");
            (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");
        }
        finally
        {
            app.PgLink.Restore();
        }

        await app.WaitForHandledAsync(request.EventId, TimeSpan.FromSeconds(60));
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Refunded");
        stored.RefundedAmount.ShouldBe(17_000);
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
        counters.DeadLettered.ShouldBe(0);
    }
}
