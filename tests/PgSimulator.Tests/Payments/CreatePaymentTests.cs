using System.Net.Http.Json;
using System.Text;

namespace Stampede.PgSimulator.Tests.Payments;

public sealed class CreatePaymentTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task Creating_a_payment_answers_a_ready_payment_with_its_checkout_url()
    {
        var orderId = PgSim.NewOrderId();
        var response = await sim.PostCreateAsync(PgSim.NewPaymentBody(orderId, 23_500));

        await response.ShouldBeAsync(200);
        var payment = await response.JsonAsync();
        payment.Status().ShouldBe("READY");
        payment.GetProperty("orderId").GetString().ShouldBe(orderId);
        payment.GetProperty("amount").GetInt64().ShouldBe(23_500);
        var paymentKey = payment.GetProperty("paymentKey").GetString()!;
        payment.GetProperty("checkoutUrl").GetString().ShouldBe($"http://localhost/checkout/{paymentKey}");
        (await sim.GetAsync(paymentKey)).GetProperty("balanceAmount").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task A_second_payment_for_an_open_order_id_is_a_409_duplicated_order_id()
    {
        var first = await sim.CreateAsync();

        var second = await sim.PostCreateAsync(PgSim.NewPaymentBody(first.OrderId));

        (await second.ProblemAsync(409)).Code().ShouldBe("DUPLICATED_ORDER_ID");
    }

    [Fact]
    public async Task An_order_id_can_be_paid_again_after_its_payment_was_declined()
    {
        var first = await sim.CreateAsync();
        await (await sim.DeclineAsync(first.PaymentKey)).ShouldBeAsync(200);

        var second = await sim.CreateAsync(orderId: first.OrderId);

        second.PaymentKey.ShouldNotBe(first.PaymentKey);
        var byOrder = await (await sim.Merchant.GetAsync($"/v1/payments/orders/{first.OrderId}")).JsonAsync();
        byOrder.GetProperty("paymentKey").GetString().ShouldBe(second.PaymentKey);
    }

    [Fact]
    public async Task Creating_twice_with_one_idempotency_key_returns_the_same_payment()
    {
        var body = PgSim.NewPaymentBody(PgSim.NewOrderId());
        var key = Guid.NewGuid().ToString();

        var first = await (await sim.PostCreateAsync(body, key)).JsonAsync();
        var again = await sim.PostCreateAsync(body, key);

        await again.ShouldBeAsync(200);
        (await again.JsonAsync()).GetProperty("paymentKey").GetString().ShouldBe(first.GetProperty("paymentKey").GetString());
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_with_a_different_body_is_a_422()
    {
        var key = Guid.NewGuid().ToString();
        await (await sim.PostCreateAsync(PgSim.NewPaymentBody(PgSim.NewOrderId()), key)).ShouldBeAsync(200);

        var other = await sim.PostCreateAsync(PgSim.NewPaymentBody(PgSim.NewOrderId()), key);

        (await other.ProblemAsync(422)).Code().ShouldBe("IDEMPOTENCY_KEY_REUSED");
    }

    [Fact]
    public async Task An_idempotency_key_is_remembered_per_endpoint_not_across_them()
    {
        var key = Guid.NewGuid().ToString();
        await (await sim.PostCreateAsync(PgSim.NewPaymentBody(PgSim.NewOrderId()), key)).ShouldBeAsync(200);
        var approved = await sim.CreateApprovedAsync();

        await (await sim.ConfirmAsync(approved, key)).ShouldBeAsync(200);
    }

    [Theory]
    [InlineData("""{"amount":1000,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "orderId")]
    [InlineData("""{"orderId":"abc","amount":1000,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "orderId")]
    [InlineData("""{"orderId":"order 12345","amount":1000,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "orderId")]
    [InlineData("""{"orderId":"order-12345","orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "amount")]
    [InlineData("""{"orderId":"order-12345","amount":-5,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "amount")]
    [InlineData("""{"orderId":"order-12345","amount":1000,"successUrl":"https://s.test/ok","failUrl":"https://s.test/no"}""", "orderName")]
    [InlineData("""{"orderId":"order-12345","amount":1000,"orderName":"n","successUrl":"/relative","failUrl":"https://s.test/no"}""", "successUrl")]
    [InlineData("""{"orderId":"order-12345","amount":1000,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"ftp://s.test/no"}""", "failUrl")]
    [InlineData("""{"orderId":"order-12345","amount":1000,"orderName":"n","successUrl":"https://s.test/ok","failUrl":"https://s.test/no","webhookUrl":"nope"}""", "webhookUrl")]
    public async Task A_bad_create_request_is_a_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var response = await sim.Merchant.PostAsync("/v1/payments", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.ProblemAsync(400);
        problem.Code().ShouldBe("INVALID_REQUEST");
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await sim.Merchant.GetAsync("/v1/payments/orders/order-12345")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_wrongly_typed_amount_is_a_400_naming_the_field()
    {
        var response = await sim.Merchant.PostAsync("/v1/payments", new StringContent("""{"orderId":"order-12345","amount":"lots"}""", Encoding.UTF8, "application/json"));

        (await response.ProblemAsync(400)).GetProperty("field").GetString().ShouldBe("amount");
    }

    [Fact]
    public async Task An_overlong_idempotency_key_is_a_400_naming_the_header()
    {
        var response = await sim.PostCreateAsync(PgSim.NewPaymentBody(PgSim.NewOrderId()), new string('k', 301));

        (await response.ProblemAsync(400)).GetProperty("errors").TryGetProperty("Idempotency-Key", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task The_checkout_url_uses_the_configured_public_base_url()
    {
        await using var configured = new PgSim().With("PgSim:PublicBaseUrl", "https://pg.example.test/");

        var payment = await configured.CreateAsync();

        payment.Json.GetProperty("checkoutUrl").GetString().ShouldBe($"https://pg.example.test/checkout/{payment.PaymentKey}");
        (await configured.GetAsync(payment.PaymentKey)).GetProperty("checkoutUrl").GetString().ShouldBe($"https://pg.example.test/checkout/{payment.PaymentKey}");
    }
}
