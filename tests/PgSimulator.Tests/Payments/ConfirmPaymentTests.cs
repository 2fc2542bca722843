using System.Net.Http.Json;
using System.Text;

namespace Stampede.PgSimulator.Tests.Payments;

public sealed class ConfirmPaymentTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task Create_approve_confirm_captures_the_payment()
    {
        var payment = await sim.CreateApprovedAsync(amount: 42_000);

        var response = await sim.ConfirmAsync(payment);

        await response.ShouldBeAsync(200);
        var confirmed = await response.JsonAsync();
        confirmed.Status().ShouldBe("DONE");
        confirmed.GetProperty("method").GetString().ShouldBe("CARD");
        confirmed.GetProperty("totalAmount").GetInt64().ShouldBe(42_000);
        confirmed.GetProperty("balanceAmount").GetInt64().ShouldBe(42_000);
        confirmed.GetProperty("currency").GetString().ShouldBe("KRW");
        confirmed.GetProperty("approvedAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task A_confirm_with_another_amount_is_refused_and_captures_nothing_until_the_right_one()
    {
        var payment = await sim.CreateApprovedAsync(amount: 42_000);

        var tampered = await sim.ConfirmAsync(payment.PaymentKey, payment.OrderId, 4_200);

        var problem = await tampered.ProblemAsync(400);
        problem.Code().ShouldBe("INVALID_AMOUNT");
        problem.GetProperty("errors").TryGetProperty("amount", out _).ShouldBeTrue();
        var untouched = await sim.GetAsync(payment.PaymentKey);
        untouched.Status().ShouldBe("IN_PROGRESS");
        untouched.GetProperty("approvedAt").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await (await sim.ConfirmAsync(payment)).JsonAsync()).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task A_confirm_naming_another_order_is_refused()
    {
        var payment = await sim.CreateApprovedAsync();

        var response = await sim.ConfirmAsync(payment.PaymentKey, PgSim.NewOrderId(), payment.Amount);

        (await response.ProblemAsync(400)).Code().ShouldBe("NOT_MATCHES_ORDER_ID");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
    }

    [Fact]
    public async Task Confirming_before_the_buyer_approves_is_a_409()
    {
        var payment = await sim.CreateAsync();

        (await (await sim.ConfirmAsync(payment)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_NOT_APPROVED");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("READY");
    }

    [Fact]
    public async Task Confirming_a_declined_payment_is_a_409()
    {
        var payment = await sim.CreateAsync();
        await sim.DeclineAsync(payment.PaymentKey);

        (await (await sim.ConfirmAsync(payment)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_ABORTED");
    }

    [Fact]
    public async Task Confirming_again_without_the_same_idempotency_key_is_already_processed()
    {
        var payment = await sim.CreateConfirmedAsync();

        (await (await sim.ConfirmAsync(payment)).ProblemAsync(400)).Code().ShouldBe("ALREADY_PROCESSED_PAYMENT");
        (await (await sim.ConfirmAsync(payment, idempotencyKey: "another-key")).ProblemAsync(400)).Code().ShouldBe("ALREADY_PROCESSED_PAYMENT");
    }

    [Fact]
    public async Task Confirming_twice_with_one_idempotency_key_answers_the_first_capture_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateApprovedAsync(webhookUrl: receiver.Url);
        var key = Guid.NewGuid().ToString();

        var first = await (await sim.ConfirmAsync(payment, key)).JsonAsync();
        var again = await sim.ConfirmAsync(payment, key);

        await again.ShouldBeAsync(200);
        var replayed = await again.JsonAsync();
        replayed.GetProperty("lastTransactionKey").GetString().ShouldBe(first.GetProperty("lastTransactionKey").GetString());
        replayed.GetProperty("approvedAt").GetDateTimeOffset().ShouldBe(first.GetProperty("approvedAt").GetDateTimeOffset());
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(300))).Count(w => w.PaymentStatus == "DONE").ShouldBe(1);
    }

    [Fact]
    public async Task Fifty_parallel_confirms_capture_once_and_announce_it_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateApprovedAsync(webhookUrl: receiver.Url);
        using var start = new SemaphoreSlim(0);
        var confirms = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.WaitAsync();
            return await sim.ConfirmAsync(payment);
        }).ToList();

        start.Release(50);
        var statuses = (await Task.WhenAll(confirms)).Select(r => (int)r.StatusCode).ToList();

        statuses.Count(s => s == 200).ShouldBe(1);
        statuses.Count(s => s == 400).ShouldBe(49);
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("DONE");
        await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey);
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(500))).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Confirming_an_unknown_payment_is_a_404()
    {
        var response = await sim.ConfirmAsync("pk_unknown", PgSim.NewOrderId(), 1_000);

        (await response.ProblemAsync(404)).Code().ShouldBe("NOT_FOUND_PAYMENT");
    }

    [Theory]
    [InlineData("""{"orderId":"order-12345","amount":1000}""", "paymentKey")]
    [InlineData("""{"paymentKey":"pk_x","amount":1000}""", "orderId")]
    [InlineData("""{"paymentKey":"pk_x","orderId":"order-12345"}""", "amount")]
    [InlineData("""{"paymentKey":"pk_x","orderId":"order-12345","amount":0}""", "amount")]
    [InlineData("""{"paymentKey":"pk x/../","orderId":"order-12345","amount":1}""", "paymentKey")]
    public async Task A_bad_confirm_request_is_a_400_naming_the_field(string json, string field)
    {
        var response = await sim.Merchant.PostAsync("/v1/payments/confirm", new StringContent(json, Encoding.UTF8, "application/json"));

        (await response.ProblemAsync(400)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_confirm_without_a_body_is_a_400()
    {
        var response = await sim.Merchant.PostAsync("/v1/payments/confirm", new StringContent("", Encoding.UTF8, "application/json"));

        await response.ProblemAsync(400);
    }

    [Fact]
    public async Task Confirming_needs_the_merchant_key()
    {
        var payment = await sim.CreateApprovedAsync();

        var response = await sim.Anonymous.PostAsJsonAsync("/v1/payments/confirm", new { payment.PaymentKey, payment.OrderId, payment.Amount });

        await response.ProblemAsync(401);
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
    }
}
