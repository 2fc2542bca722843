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
    public async Task A_refund_the_PG_keeps_failing_is_dead_lettered_where_an_operator_sees_it()
    {
        var session = await app.CapturedSessionAsync(amount: 17_000);
        var failure = await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "cancel", orderId = session.OrderId.ToString("N") });
        var request = new RefundRequested(session.OrderId, session.PaymentId, 17_000, "Paid after expiry");

        await app.Broker.PublishAsync(request);

        await using var deadLetters = await DeadLetterQueue.ConnectAsync(TestServers.RabbitMq, CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        DeadLetter? dead = null;
        while (dead is null)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The failing refund was not dead-lettered: {await deadLetters.CountAsync(app.MessagingName, CancellationToken.None)} " +
                    $"dead letter(s), payment {await app.StoredAsync(session.OrderId)}.");
            await Task.Delay(100);
            dead = (await deadLetters.ListAsync(app.MessagingName, 50, CancellationToken.None)).FirstOrDefault(d => d.MessageId == request.EventId.ToString());
        }

        dead.EventName.ShouldBe("ordering.refund-requested.v1");
        dead.Error.ShouldNotBeNull().ShouldContain("PgUnavailableException");
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Captured");
        stored.RefundedAmount.ShouldBe(0);
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");

        // Once the PG works again, replaying the dead letter refunds.
        await app.Pg.SwitchOffAsync(failure);
        await deadLetters.ReplayAsync(app.MessagingName, CancellationToken.None);
        await app.WaitForStoredAsync(session.OrderId, p => p.Status == "Refunded");
        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
        JsonSerializer.Serialize(await app.Pg.PaymentOfOrderAsync(session.OrderId)).ShouldContain("\"status\":\"CANCELED\"");
    }
}
