using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Stampede.Contracts.Payment;
using Stampede.Payment.Tests.Infrastructure;

namespace Stampede.Payment.Tests.Returns;

public sealed class PaymentReturnTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task Approving_and_returning_captures_the_payment_once_and_announces_it_once()
    {
        var session = await app.OpenSessionAsync(amount: 42_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        redirectUrl.ShouldStartWith(app.Address + "payments/return/success?");

        using var first = await app.ReturnAsync(redirectUrl);
        using var again = await app.ReturnAsync(redirectUrl);

        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var answer = await first.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("orderId").GetGuid().ShouldBe(session.OrderId);
        answer.GetProperty("paymentId").GetGuid().ShouldBe(session.PaymentId);
        answer.GetProperty("status").GetString().ShouldBe("Captured");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Captured");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");

        var captured = await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        captured.ShouldBe(new PaymentCaptured(session.OrderId, session.PaymentId, 42_000, "KRW") { EventId = captured.EventId, OccurredAt = captured.OccurredAt });
        // The PG's DONE webhook arrives too; it must not capture again.
        await WaitForWebhookAsync(session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.OutboxCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("Captured");
        stored.CapturedAmount.ShouldBe(42_000);
        stored.Ledger.ShouldBe(["authorised", "captured"]);
    }

    [Fact]
    public async Task Concurrent_returns_racing_the_webhook_capture_once()
    {
        var session = await app.OpenSessionAsync(amount: 36_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        await app.Pg.SwitchOnAsync(new { mode = "duplicate-webhook", orderId = session.OrderId.ToString("N") });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await app.ReturnAsync(redirectUrl);
            return response.StatusCode;
        }));

        // A return that meets the PG still busy with a sibling's confirm is told to retry; none fails otherwise.
        statuses.ShouldAllBe(status => status == HttpStatusCode.OK || status == HttpStatusCode.ServiceUnavailable);
        statuses.ShouldContain(HttpStatusCode.OK);
        await WaitForWebhookAsync(session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.OutboxCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Ledger.ShouldBe(["authorised", "captured"]);
    }

    [Fact]
    public async Task A_tampered_amount_is_refused_and_nothing_is_captured()
    {
        var session = await app.OpenSessionAsync(amount: 30_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        var tampered = redirectUrl.Replace("amount=30000", "amount=100", StringComparison.Ordinal);
        tampered.ShouldNotBe(redirectUrl);

        using var response = await app.ReturnAsync(tampered);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().ShouldBe("amount does not match the order");
        problem.GetProperty("errors").TryGetProperty("amount", out _).ShouldBeTrue();
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("IN_PROGRESS");
        var stored = await app.StoredAsync(session.OrderId);
        stored.Status.ShouldBe("SessionOpen");
        stored.CapturedAmount.ShouldBe(0);
        stored.Ledger.ShouldBeEmpty();
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId, TimeSpan.FromMilliseconds(300))).ShouldBe(0);

        // The genuine return still pays.
        using var genuine = await app.ReturnAsync(redirectUrl);
        genuine.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.StoredAsync(session.OrderId)).CapturedAmount.ShouldBe(30_000);
    }

    [Fact]
    public async Task A_return_naming_another_orders_payment_is_refused()
    {
        var mine = await app.OpenSessionAsync(amount: 10_000);
        var other = await app.OpenSessionAsync(amount: 10_000);
        var redirectUrl = await app.Pg.ApproveAsync(other.PaymentUrl);
        var query = QueryHelpers.ParseQuery(new Uri(redirectUrl).Query);

        using var response = await app.ReturnAsync(
            $"/payments/return/success?paymentKey={query["paymentKey"]}&orderId={mine.OrderId:N}&amount=10000");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("paymentKey", out _).ShouldBeTrue();
        (await app.StoredAsync(mine.OrderId)).Status.ShouldBe("SessionOpen");
        (await app.StoredAsync(other.OrderId)).Status.ShouldBe("SessionOpen");
    }

    [Fact]
    public async Task A_declined_checkout_fails_the_session_and_announces_PaymentFailed_once()
    {
        var session = await app.OpenSessionAsync();
        var failUrl = await app.Pg.DeclineAsync(session.PaymentUrl);
        failUrl.ShouldStartWith(app.Address + "payments/return/fail?");

        using var response = await app.ReturnAsync(failUrl);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Failed");
        var failed = await app.Broker.WaitForAsync<PaymentFailed>(e => e.OrderId == session.OrderId);
        failed.PaymentId.ShouldBe(session.PaymentId);
        failed.Reason.ShouldContain("PAY_PROCESS_CANCELED");
        await WaitForWebhookAsync(session.OrderId);
        (await app.SettledCountAsync<PaymentFailed>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("Failed");
    }

    [Fact]
    public async Task A_card_decline_at_the_PG_fails_the_session()
    {
        var session = await app.OpenSessionAsync();
        await app.Pg.SwitchOnAsync(new { mode = "decline", orderId = session.OrderId.ToString("N") });

        using var response = await app.ReturnAsync(await app.Pg.ApproveAsync(session.PaymentUrl));

        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Failed");
        (await app.Broker.WaitForAsync<PaymentFailed>(e => e.OrderId == session.OrderId)).Reason.ShouldContain("REJECT_CARD_PAYMENT");
    }

    [Fact]
    public async Task A_forged_failure_return_changes_nothing()
    {
        var session = await app.OpenSessionAsync();

        using var response = await app.ReturnAsync($"/payments/return/fail?code=PAY_PROCESS_CANCELED&message=forged&orderId={session.OrderId:N}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("SessionOpen");
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("SessionOpen");
        (await app.OutboxCountAsync<PaymentFailed>(session.OrderId)).ShouldBe(0);
        // The buyer can still pay.
        using var paid = await app.ReturnAsync(await app.Pg.ApproveAsync(session.PaymentUrl));
        paid.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_PG_server_error_on_confirm_answers_502_and_the_repeated_return_captures_once()
    {
        var session = await app.OpenSessionAsync(amount: 25_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "confirm", orderId = session.OrderId.ToString("N"), count = 1 });

        using var failed = await app.ReturnAsync(redirectUrl);

        failed.StatusCode.ShouldBe(HttpStatusCode.BadGateway, await failed.Content.ReadAsStringAsync());
        failed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("SessionOpen");
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("IN_PROGRESS");

        using var retried = await app.ReturnAsync(redirectUrl);

        retried.StatusCode.ShouldBe(HttpStatusCode.OK, await retried.Content.ReadAsStringAsync());
        (await app.Pg.StatusOfOrderAsync(session.OrderId)).ShouldBe("DONE");
        await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_confirm_that_times_out_answers_503_and_the_capture_is_recorded_when_the_PG_reports_it()
    {
        var session = await app.OpenSessionAsync(amount: 18_000);
        var redirectUrl = await app.Pg.ApproveAsync(session.PaymentUrl);
        // The PG takes longer to capture than payment waits (Pg:ConfirmTimeout in the tests).
        var delay = PaymentApp.PgConfirmTimeout + TimeSpan.FromSeconds(2);
        await app.Pg.SwitchOnAsync(new { mode = "timeout", orderId = session.OrderId.ToString("N"), delayMs = (int)delay.TotalMilliseconds, count = 1 });

        using var timedOut = await app.ReturnAsync(redirectUrl);

        timedOut.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await timedOut.Content.ReadAsStringAsync());
        timedOut.Headers.RetryAfter.ShouldNotBeNull();
        // The PG captures anyway and says so with a webhook: the capture is recorded once, without the buyer.
        var captured = await app.Broker.WaitForAsync<PaymentCaptured>(e => e.OrderId == session.OrderId, TimeSpan.FromSeconds(60));
        captured.Amount.ShouldBe(18_000);
        using var repeated = await app.ReturnAsync(redirectUrl);
        repeated.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.SettledCountAsync<PaymentCaptured>(session.OrderId)).ShouldBe(1);
        (await app.StoredAsync(session.OrderId)).Ledger.ShouldBe(["authorised", "captured"]);
    }

    [Fact]
    public async Task A_return_before_the_buyer_approved_is_refused_with_409()
    {
        var session = await app.OpenSessionAsync(amount: 12_000);
        var paymentKey = (await app.StoredAsync(session.OrderId)).PaymentKey;

        using var response = await app.ReturnAsync($"/payments/return/success?paymentKey={paymentKey}&orderId={session.OrderId:N}&amount=12000");

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pgCode").GetString().ShouldBe("PAYMENT_NOT_APPROVED");
        (await app.StoredAsync(session.OrderId)).Status.ShouldBe("SessionOpen");
    }

    [Fact]
    public async Task A_malformed_return_is_refused_naming_each_field()
    {
        using var response = await app.ReturnAsync("/payments/return/success?paymentKey=&orderId=not-an-order&amount=-5");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).Order().ShouldBe(["amount", "orderId", "paymentKey"]);
    }

    [Fact]
    public async Task A_return_for_an_order_without_a_session_is_404()
    {
        using var response = await app.ReturnAsync($"/payments/return/success?paymentKey=pk_x&orderId={Guid.NewGuid():N}&amount=1000");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_browser_is_answered_with_a_page()
    {
        var session = await app.OpenSessionAsync(amount: 9_000);
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.Pg.ApproveAsync(session.PaymentUrl));
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("Payment received");
    }

    [Fact]
    public async Task The_failure_return_tells_anyone_with_the_order_id_only_the_state()
    {
        var session = await app.CapturedSessionAsync(amount: 12_345);
        var failUrl = $"/payments/return/fail?code=X&message=x&orderId={session.OrderId:N}";

        using var json = await app.ReturnAsync(failUrl);
        var answer = await json.Content.ReadFromJsonAsync<JsonElement>();
        answer.EnumerateObject().Select(p => p.Name).ShouldBe(["orderId", "status"], ignoreOrder: true);
        answer.GetProperty("status").GetString().ShouldBe("Captured");

        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, failUrl);
        request.Headers.Accept.ParseAdd("text/html");
        using var page = await client.SendAsync(request);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("Payment received");
        html.ShouldNotContain("12,345");
        html.ShouldNotContain("ORD-");
    }

    private async Task WaitForWebhookAsync(Guid orderId)
    {
        var paymentKey = (await app.StoredAsync(orderId)).PaymentKey;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await app.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_webhook_deliveries WHERE payment_key = @paymentKey)", new { paymentKey }))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No webhook for {paymentKey} arrived.");
            await Task.Delay(25);
        }
    }
}
