using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Stampede.Contracts.Ordering;
using Stampede.Contracts.Payment;
using Stampede.Payment.Tests.Infrastructure;

namespace Stampede.Payment.Tests.Sessions;

public sealed class ExpiredSessionTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task An_expired_order_voids_its_session_here_and_at_the_PG()
    {
        var session = await app.OpenSessionAsync(amount: 23_000);

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));

        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Voided");
        stored.Ledger.ShouldBe(["voided"]);
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        using var approve = await app.Pg.TryApproveAsync(session.PaymentUrl);
        approve.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.OutboxCountAsync<PaymentFailed>(session.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task An_approved_but_unconfirmed_payment_is_voided_too()
    {
        var session = await app.OpenSessionAsync(amount: 23_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));
        using var late = await app.ReturnAsync(redirectUrl);

        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Voided");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.OutboxCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_cancelled_unpaid_order_voids_its_session()
    {
        var session = await app.OpenSessionAsync();

        await app.PublishAndWaitAsync(new OrderCancelled(session.OrderId, WasPaid: false, session.PaymentId, 0, "Cancelled by the buyer"));

        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Voided");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
    }

    [Fact]
    public async Task Money_the_PG_took_before_the_expiry_arrived_is_captured_not_voided()
    {
        var session = await app.OpenSessionAsync(amount: 31_000);
        var paymentKey = QueryHelpers.ParseQuery(new Uri(await app.Pg.ApproveAsync(session.PaymentUrl)).Query)["paymentKey"].ToString();
        // Confirmed at the PG, but neither the answer nor the webhook reached payment.
        await app.Pg.SwitchOnAsync(new { mode = "webhook-fail", paymentKey });
        await app.Pg.ConfirmDirectlyAsync(paymentKey, session.OrderId, 31_000);

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));

        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Captured");
        stored.Ledger.ShouldBe(["authorised", "captured"]);
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");
        (await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId)).Amount.ShouldBe(31_000);
    }

    [Fact]
    public async Task While_the_PG_fails_to_void_the_void_is_retried_past_the_retry_budget_and_done_at_the_PG()
    {
        var session = await app.OpenSessionAsync(amount: 26_000);
        // Eight failing cancels: twice the first try and three retries a failure of the handler's own gets.
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "cancel", orderId = session.OrderId.ToString("N"), count = 8 });

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId), TimeSpan.FromSeconds(60));

        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Voided");
        stored.Ledger.ShouldBe(["voided"]);
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        using var approve = await app.Pg.TryApproveAsync(session.PaymentUrl);
        approve.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_expiry_after_the_capture_changes_nothing()
    {
        var session = await app.CapturedSessionAsync(amount: 7_000);

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));

        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Captured");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");
    }
}

/// <summary>With <c>Payment:VoidAtPg</c> off, the saga's late-payment path end to end on payment's side.</summary>
public sealed class LatePaymentTests(PaymentAppVoidingLocally app) : IClassFixture<PaymentAppVoidingLocally>
{
    [Fact]
    public async Task A_payment_after_expiry_is_captured_announced_and_refunded_when_ordering_asks()
    {
        var session = await app.OpenSessionAsync(amount: 34_000);

        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Voided");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("READY");

        using var response = await app.ReturnAsync(await app.Pg.ApproveAsync(session.PaymentUrl));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var captured = await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);

        // Ordering answers a capture for an expired order with RefundRequested.
        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, captured.PaymentId, captured.Amount, "Payment arrived after the order expired"));

        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("CANCELED");
        (await app.Broker.WaitForAsync<PaymentRefunded>(e => e.OrderId == session.OrderId)).Amount.ShouldBe(34_000);
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Refunded");
        stored.Ledger.ShouldBe(["voided", "authorised", "captured", "refunded"]);
    }

    [Fact]
    public async Task A_capture_for_a_voided_session_reported_only_by_webhook_is_recorded()
    {
        var session = await app.OpenSessionAsync(amount: 12_500);
        await app.PublishAndWaitAsync(new OrderExpired(session.OrderId));
        var paymentKey = QueryHelpers.ParseQuery(new Uri(await app.Pg.ApproveAsync(session.PaymentUrl)).Query)["paymentKey"].ToString();

        await app.Pg.ConfirmDirectlyAsync(paymentKey, session.OrderId, 12_500);

        await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Captured");
    }
}
