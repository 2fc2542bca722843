using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Stampede.Contracts.Payment;
using Stampede.Payment.Tests.Infrastructure;

namespace Stampede.Payment.Tests.Webhooks;

public sealed class PgWebhookTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task A_capture_only_the_webhook_reports_is_recorded_and_announced_once()
    {
        var session = await app.OpenSessionAsync(amount: 33_000);
        var paymentKey = await ApproveAsync(session);

        // Payment confirmed at the PG but lost the answer, and the buyer never came back:
        // only the PG's webhook tells payment the money was taken.
        await app.Pg.ConfirmDirectlyAsync(paymentKey, session.OrderId, 33_000);

        var captured = await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        captured.Amount.ShouldBe(33_000);
        captured.PaymentId.ShouldBe(session.PaymentId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Captured");
        stored.Ledger.ShouldBe(["authorised", "captured"]);
    }

    [Fact]
    public async Task A_duplicated_webhook_captures_once()
    {
        var session = await app.OpenSessionAsync(amount: 27_000);
        var paymentKey = await ApproveAsync(session);
        await app.Pg.SwitchOnAsync(new { mode = "duplicate-webhook", orderId = session.OrderId.ToString("N") });

        await app.Pg.ConfirmDirectlyAsync(paymentKey, session.OrderId, 27_000);

        await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.OutboxCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Ledger.Count(kind => kind == "captured").ShouldBe(1);
        (await app.ScalarAsync<long>("SELECT count(*) FROM pg_webhook_deliveries WHERE payment_key = @paymentKey", new { paymentKey })).ShouldBe(1);
    }

    [Fact]
    public async Task A_webhook_that_failed_to_arrive_is_recorded_when_the_PG_retries_it()
    {
        var session = await app.OpenSessionAsync(amount: 16_000);
        var paymentKey = await ApproveAsync(session);
        await app.Pg.SwitchOnAsync(new { mode = "webhook-fail", paymentKey, count = 2 });

        await app.Pg.ConfirmDirectlyAsync(paymentKey, session.OrderId, 16_000);

        await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_refund_made_at_the_PG_is_recorded_from_its_webhook()
    {
        var session = await app.CapturedSessionAsync(amount: 40_000);
        var paymentKey = (await app.StoredAsync(session.OrderId)).PaymentKey;

        using var response = await app.Pg.Merchant.PostAsJsonAsync($"/v1/payments/{paymentKey}/cancel", new { cancelReason = "Refunded by an operator", cancelAmount = 15_000 });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var refunded = await app.Broker.WaitForAsync<PaymentRefunded>(e => e.OrderId == session.OrderId);
        refunded.ShouldBe(new PaymentRefunded(session.OrderId, session.PaymentId, 15_000, "Refunded by an operator")
        {
            EventId = refunded.EventId, OccurredAt = refunded.OccurredAt,
        });
        var stored = await app.WaitForStoredAsync(session.OrderId, p => p.Status == "PartiallyRefunded");
        stored.RefundedAmount.ShouldBe(15_000);
        stored.Ledger.ShouldBe(["authorised", "captured", "refunded"]);
        (await app.SettledCountAsync<PaymentRefunded>(session.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_webhook_with_a_bad_signature_is_refused_with_401()
    {
        var session = await app.OpenSessionAsync();
        var body = WebhookBody((await app.StoredAsync(session.OrderId)).PaymentKey, "DONE");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var wrongSecret = await PostWebhookAsync(body, now, Sign("not the secret", now, body));
        using var tamperedBody = await PostWebhookAsync(body.Replace("DONE", "CANCELED", StringComparison.Ordinal), now, Sign(PgSimHost.WebhookSecret, now, body));
        using var unsigned = await PostWebhookAsync(body, now, signature: null);
        using var stale = await PostWebhookAsync(body, now - 600, Sign(PgSimHost.WebhookSecret, now - 600, body));
        using var noTimestamp = await PostWebhookAsync(body, timestamp: null, Sign(PgSimHost.WebhookSecret, now, body));

        foreach (var response in new[] { wrongSecret, tamperedBody, unsigned, stale, noTimestamp })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await app.ScalarAsync<long>("SELECT count(*) FROM pg_webhook_deliveries WHERE payment_key = @paymentKey",
            new { paymentKey = (await app.StoredAsync(session.OrderId)).PaymentKey })).ShouldBe(0);
    }

    [Fact]
    public async Task A_correctly_signed_webhook_is_only_a_hint_the_PG_state_decides()
    {
        var session = await app.OpenSessionAsync();
        var paymentKey = (await app.StoredAsync(session.OrderId)).PaymentKey;
        // Claims DONE, but the PG still has the payment READY.
        var body = WebhookBody(paymentKey, "DONE");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var response = await PostWebhookAsync(body, now, Sign(PgSimHost.WebhookSecret, now, body));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("SessionOpen");
        (await app.OutboxCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_webhook_for_a_payment_that_is_not_ours_is_acknowledged_and_ignored()
    {
        var body = WebhookBody("pk_somebody_else", "DONE");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var response = await PostWebhookAsync(body, now, Sign(PgSimHost.WebhookSecret, now, body));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_signed_webhook_without_a_payment_key_is_a_400()
    {
        const string body = """{"eventType":"PAYMENT_STATUS_CHANGED","data":{}}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var response = await PostWebhookAsync(body, now, Sign(PgSimHost.WebhookSecret, now, body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<string> ApproveAsync(Session session)
    {
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        return QueryHelpers.ParseQuery(new Uri(redirectUrl).Query)["paymentKey"].ToString();
    }

    private static string WebhookBody(string paymentKey, string status) =>
        JsonSerializer.Serialize(new { eventType = "PAYMENT_STATUS_CHANGED", createdAt = DateTimeOffset.UtcNow, data = new { paymentKey, status } });

    private static string Sign(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private async Task<HttpResponseMessage> PostWebhookAsync(string body, long? timestamp, string? signature)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/webhooks/pg") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-PgSim-Delivery-Id", "test-" + Guid.NewGuid().ToString("N"));
        if (timestamp is { } unix) request.Headers.Add("X-PgSim-Timestamp", unix.ToString(CultureInfo.InvariantCulture));
        if (signature is not null) request.Headers.Add("X-PgSim-Signature", signature);
        return await client.SendAsync(request);
    }
}
