using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Stampede.PgSimulator.Tests.Payments;

public sealed class CancelPaymentTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task A_partial_then_a_full_cancel_refunds_the_balance_down_to_zero()
    {
        var payment = await sim.CreateConfirmedAsync(amount: 30_000);

        var partial = await (await sim.CancelAsync(payment.PaymentKey, "one item out of stock", 10_000)).JsonAsync();
        partial.Status().ShouldBe("PARTIAL_CANCELED");
        partial.GetProperty("balanceAmount").GetInt64().ShouldBe(20_000);
        partial.GetProperty("totalAmount").GetInt64().ShouldBe(30_000);

        var full = await sim.CancelAsync(payment.PaymentKey, "customer changed their mind");
        await full.ShouldBeAsync(200);
        var canceled = await full.JsonAsync();
        canceled.Status().ShouldBe("CANCELED");
        canceled.GetProperty("balanceAmount").GetInt64().ShouldBe(0);
        var cancels = canceled.GetProperty("cancels").EnumerateArray().ToList();
        cancels.Select(c => c.GetProperty("cancelAmount").GetInt64()).ShouldBe([10_000, 20_000]);
        cancels.Select(c => c.GetProperty("refundableAmount").GetInt64()).ShouldBe([20_000, 0]);
        cancels[1].GetProperty("cancelReason").GetString().ShouldBe("customer changed their mind");
        cancels.ShouldAllBe(c => c.GetProperty("canceledAt").ValueKind == JsonValueKind.String);
        cancels.Select(c => c.GetProperty("transactionKey").GetString()).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Cancelling_more_than_the_balance_is_a_400_and_refunds_nothing()
    {
        var payment = await sim.CreateConfirmedAsync(amount: 30_000);
        await sim.CancelAsync(payment.PaymentKey, "partial", 25_000);

        var response = await sim.CancelAsync(payment.PaymentKey, "too much", 5_001);

        var problem = await response.ProblemAsync(400);
        problem.Code().ShouldBe("NOT_CANCELABLE_AMOUNT");
        problem.GetProperty("errors").TryGetProperty("cancelAmount", out _).ShouldBeTrue();
        var after = await sim.GetAsync(payment.PaymentKey);
        after.GetProperty("balanceAmount").GetInt64().ShouldBe(5_000);
        after.GetProperty("cancels").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Cancelling_twice_with_one_idempotency_key_refunds_once()
    {
        var payment = await sim.CreateConfirmedAsync(amount: 30_000);
        var key = Guid.NewGuid().ToString();

        var first = await (await sim.CancelAsync(payment.PaymentKey, "partial", 10_000, key)).JsonAsync();
        var again = await sim.CancelAsync(payment.PaymentKey, "partial", 10_000, key);

        await again.ShouldBeAsync(200);
        (await again.JsonAsync()).GetProperty("lastTransactionKey").GetString().ShouldBe(first.GetProperty("lastTransactionKey").GetString());
        var after = await sim.GetAsync(payment.PaymentKey);
        after.GetProperty("balanceAmount").GetInt64().ShouldBe(20_000);
        after.GetProperty("cancels").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Cancelling_without_a_key_refunds_each_time_it_is_asked()
    {
        var payment = await sim.CreateConfirmedAsync(amount: 30_000);

        await (await sim.CancelAsync(payment.PaymentKey, "partial", 10_000)).ShouldBeAsync(200);
        await (await sim.CancelAsync(payment.PaymentKey, "partial", 10_000)).ShouldBeAsync(200);

        (await sim.GetAsync(payment.PaymentKey)).GetProperty("balanceAmount").GetInt64().ShouldBe(10_000);
    }

    [Fact]
    public async Task Cancelling_a_canceled_payment_is_already_canceled()
    {
        var payment = await sim.CreateConfirmedAsync();
        await sim.CancelAsync(payment.PaymentKey, "full");

        (await (await sim.CancelAsync(payment.PaymentKey, "again")).ProblemAsync(400)).Code().ShouldBe("ALREADY_CANCELED_PAYMENT");
    }

    [Fact]
    public async Task Cancelling_an_unconfirmed_payment_voids_it_so_the_buyer_can_no_longer_approve()
    {
        var payment = await sim.CreateAsync();

        var voided = await (await sim.CancelAsync(payment.PaymentKey, "order expired")).JsonAsync();

        voided.Status().ShouldBe("CANCELED");
        voided.GetProperty("balanceAmount").GetInt64().ShouldBe(0);
        voided.GetProperty("cancels").GetArrayLength().ShouldBe(0);
        (await (await sim.ApproveAsync(payment.PaymentKey)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_CANCELED");
        (await (await sim.ConfirmAsync(payment)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_CANCELED");
    }

    [Fact]
    public async Task A_partial_cancel_of_an_unconfirmed_payment_is_refused()
    {
        var payment = await sim.CreateApprovedAsync();

        (await (await sim.CancelAsync(payment.PaymentKey, "partial", 100)).ProblemAsync(400)).Code().ShouldBe("NOT_CANCELABLE_AMOUNT");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
    }

    [Theory]
    [InlineData("""{"cancelAmount":100}""", "cancelReason")]
    [InlineData("""{"cancelReason":"   "}""", "cancelReason")]
    [InlineData("""{"cancelReason":"r","cancelAmount":0}""", "cancelAmount")]
    [InlineData("""{"cancelReason":"r","cancelAmount":-100}""", "cancelAmount")]
    public async Task A_bad_cancel_request_is_a_400_naming_the_field(string json, string field)
    {
        var payment = await sim.CreateConfirmedAsync();

        var response = await sim.Merchant.PostAsync($"/v1/payments/{payment.PaymentKey}/cancel", new StringContent(json, Encoding.UTF8, "application/json"));

        (await response.ProblemAsync(400)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task Cancelling_an_unknown_payment_is_a_404()
    {
        var response = await sim.Merchant.PostAsJsonAsync("/v1/payments/pk_unknown/cancel", new { cancelReason = "r" });

        (await response.ProblemAsync(404)).Code().ShouldBe("NOT_FOUND_PAYMENT");
    }
}
