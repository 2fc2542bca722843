using System.Text.Json;

namespace Stampede.PgSimulator.Tests.Webhooks;

public sealed class WebhookTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task A_confirmed_payment_is_announced_with_a_valid_signature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateConfirmedAsync(amount: 77_000, webhookUrl: receiver.Url);

        var webhook = (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey))[0];

        webhook.IsSignedWith(PgSim.WebhookSecret).ShouldBeTrue();
        webhook.IsSignedWith("some other secret").ShouldBeFalse();
        webhook.Headers["X-PgSim-Signature"].ShouldStartWith("v1=");
        long.Parse(webhook.Headers["X-PgSim-Timestamp"]).ShouldBeInRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        webhook.Headers["X-PgSim-Event"].ShouldBe("PAYMENT_STATUS_CHANGED");
        webhook.Headers["Content-Type"].ShouldStartWith("application/json");
        webhook.EventType.ShouldBe("PAYMENT_STATUS_CHANGED");
        webhook.PaymentStatus.ShouldBe("DONE");
        webhook.Payment.GetProperty("totalAmount").GetInt64().ShouldBe(77_000);
        webhook.Payment.GetProperty("orderId").GetString().ShouldBe(payment.OrderId);
        JsonDocument.Parse(webhook.Body).RootElement.GetProperty("createdAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Fact]
    public async Task Every_status_change_is_announced_once_but_the_buyers_approval_is_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateConfirmedAsync(amount: 30_000, webhookUrl: receiver.Url);
        await sim.CancelAsync(payment.PaymentKey, "partial", 10_000);
        await sim.CancelAsync(payment.PaymentKey, "rest");

        var webhooks = await receiver.WaitForAsync(3, w => w.PaymentKey == payment.PaymentKey);

        // Deliveries run in parallel, so their order is not promised (as at a real PG): a receiver
        // treats a webhook as a hint and reads the payment back.
        webhooks.Select(w => w.PaymentStatus).ShouldBe(["DONE", "PARTIAL_CANCELED", "CANCELED"], ignoreOrder: true);
        webhooks.Select(w => w.DeliveryId).Distinct().Count().ShouldBe(3);
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(200))).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_declined_payment_is_announced()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateAsync(webhookUrl: receiver.Url);
        await sim.DeclineAsync(payment.PaymentKey);

        (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey))[0].PaymentStatus.ShouldBe("ABORTED");
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_with_the_same_delivery_id_and_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(2);
        var payment = await sim.CreateConfirmedAsync(webhookUrl: receiver.Url);

        var attempts = await receiver.WaitForAsync(3, w => w.PaymentKey == payment.PaymentKey);

        attempts.Select(a => a.AnsweredWithFailure).ShouldBe([true, true, false]);
        attempts.Select(a => a.DeliveryId).Distinct().Count().ShouldBe(1);
        attempts.Select(a => a.Body).Distinct().Count().ShouldBe(1);
        attempts.Select(a => a.Headers["X-PgSim-Attempt"]).ShouldBe(["1", "2", "3"]);
        attempts.ShouldAllBe(a => a.IsSignedWith(PgSim.WebhookSecret));
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(300))).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_delivery_is_abandoned_after_the_last_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(100);
        var payment = await sim.CreateConfirmedAsync(webhookUrl: receiver.Url);

        await receiver.WaitForAsync(4, w => w.PaymentKey == payment.PaymentKey);

        // Three delays configured, so four attempts in all.
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(600))).Count.ShouldBe(4);
    }

    [Fact]
    public async Task An_unreachable_receiver_does_not_hold_up_other_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await sim.CreateConfirmedAsync(webhookUrl: "http://127.0.0.1:9/nobody-listens");

        var payment = await sim.CreateConfirmedAsync(webhookUrl: receiver.Url);

        await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey, TimeSpan.FromSeconds(3));
    }
}

public sealed class GlobalWebhookUrlTests
{
    [Fact]
    public async Task A_payment_without_its_own_webhook_url_is_announced_to_the_configured_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = new PgSim().With("PgSim:WebhookUrl", receiver.Url);

        var payment = await sim.CreateConfirmedAsync();

        (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey))[0].PaymentStatus.ShouldBe("DONE");
    }
}
