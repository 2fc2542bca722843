using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Stampede.Payment.Tests.Infrastructure;

namespace Stampede.Payment.Tests.Sessions;

public sealed class OpenPaymentSessionTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task Opening_a_session_opens_a_PG_payment_for_the_order_total()
    {
        var orderId = Guid.NewGuid();
        using var client = app.Anonymous();

        using var response = await client.PostAsJsonAsync("/internal/payment-sessions", PaymentApp.SessionBody(orderId, 55_000, Guid.NewGuid()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        session.GetProperty("status").GetString().ShouldBe("SessionOpen");
        session.GetProperty("paymentId").GetGuid().ShouldNotBe(Guid.Empty);
        var paymentUrl = session.GetProperty("paymentUrl").GetString()!;
        paymentUrl.ShouldStartWith(app.PgBaseUrl + "checkout/pk_");
        var pg = await app.Pg.PaymentOfOrderAsync(orderId);
        pg.GetProperty("status").GetString().ShouldBe("READY");
        pg.GetProperty("orderId").GetString().ShouldBe(orderId.ToString("N"));
        pg.GetProperty("totalAmount").GetInt64().ShouldBe(55_000);
        pg.GetProperty("checkoutUrl").GetString().ShouldBe(paymentUrl);
        (await app.StoredAsync(orderId)).Status.ShouldBe("SessionOpen");
    }

    [Fact]
    public async Task Asking_again_for_one_order_answers_the_same_session_even_concurrently()
    {
        var orderId = Guid.NewGuid();
        var body = PaymentApp.SessionBody(orderId, 21_000, Guid.NewGuid());

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var client = app.Anonymous();
            using var response = await client.PostAsJsonAsync("/internal/payment-sessions", body);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }));
        using var later = app.Anonymous();
        using var again = await later.PostAsJsonAsync("/internal/payment-sessions", body);
        var last = await again.Content.ReadFromJsonAsync<JsonElement>();

        answers.Select(a => a.GetProperty("paymentId").GetGuid()).Append(last.GetProperty("paymentId").GetGuid()).Distinct().Count().ShouldBe(1);
        answers.Select(a => a.GetProperty("paymentUrl").GetString()).Distinct().Count().ShouldBe(1);
        (await app.ScalarAsync<long>("SELECT count(*) FROM payments WHERE order_id = @orderId", new { orderId })).ShouldBe(1);
        // The PG holds one payment for the order: the one the session points at.
        (await app.Pg.PaymentOfOrderAsync(orderId)).GetProperty("checkoutUrl").GetString().ShouldBe(answers[0].GetProperty("paymentUrl").GetString());
    }

    [Fact]
    public async Task Asking_for_the_same_order_with_another_amount_is_a_conflict()
    {
        var orderId = Guid.NewGuid();
        var userId = Guid.NewGuid();
        using var client = app.Anonymous();
        (await client.PostAsJsonAsync("/internal/payment-sessions", PaymentApp.SessionBody(orderId, 10_000, userId))).EnsureSuccessStatusCode();

        using var response = await client.PostAsJsonAsync("/internal/payment-sessions", PaymentApp.SessionBody(orderId, 9_000, userId));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.Pg.PaymentOfOrderAsync(orderId)).GetProperty("totalAmount").GetInt64().ShouldBe(10_000);
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_each_field_and_nothing_is_stored()
    {
        using var client = app.Anonymous();

        // No control character here: the service defaults refuse those before the endpoint runs (naming only that field).
        using var response = await client.PostAsJsonAsync("/internal/payment-sessions",
            new { orderId = Guid.Empty, orderNumber = "", amount = 0, currency = "USD", orderName = "   ", userId = (Guid?)null,
                payBy = DateTimeOffset.UtcNow.AddMinutes(-1) });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).Order().ShouldBe(["amount", "currency", "orderId", "orderName", "orderNumber", "payBy", "userId"]);
        (await app.ScalarAsync<long>("SELECT count(*) FROM payments WHERE order_id = @orderId", new { orderId = Guid.Empty })).ShouldBe(0);
    }

    [Fact]
    public async Task The_PG_checkout_closes_at_the_orders_deadline()
    {
        var orderId = Guid.NewGuid();
        using var client = app.Anonymous();
        var body = new
        {
            orderId, orderNumber = "ORD-20261204-000001", amount = 12_000, currency = "KRW", orderName = "Socks", userId = Guid.NewGuid(),
            payBy = DateTimeOffset.UtcNow.AddSeconds(2),
        };

        using var response = await client.PostAsJsonAsync("/internal/payment-sessions", body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await app.Pg.PaymentOfOrderAsync(orderId)).GetProperty("status").GetString().ShouldBe("READY");
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // The PG's own checkout expiry is 30 minutes; the order's deadline closed it.
        (await app.Pg.PaymentOfOrderAsync(orderId)).GetProperty("status").GetString().ShouldBe("EXPIRED");
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_400_problem()
    {
        using var client = app.Anonymous();

        using var response = await client.PostAsync("/internal/payment-sessions",
            new StringContent("{\"orderId\": \"not-a-guid\"", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task A_PG_failure_while_opening_is_a_502_and_asking_again_opens_the_session()
    {
        var orderId = Guid.NewGuid();
        var body = PaymentApp.SessionBody(orderId, 13_000, Guid.NewGuid());
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "create", orderId = orderId.ToString("N"), count = 1 });
        using var client = app.Anonymous();

        using var failed = await client.PostAsJsonAsync("/internal/payment-sessions", body);
        using var retried = await client.PostAsJsonAsync("/internal/payment-sessions", body);

        failed.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        retried.StatusCode.ShouldBe(HttpStatusCode.OK, await retried.Content.ReadAsStringAsync());
        (await app.StoredAsync(orderId)).Status.ShouldBe("SessionOpen");
    }
}
