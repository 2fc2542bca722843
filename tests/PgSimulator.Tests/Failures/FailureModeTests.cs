using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Stampede.PgSimulator.Tests.Failures;

public sealed class FailureModeTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task Decline_mode_makes_the_buyers_approval_a_card_rejection()
    {
        var payment = await sim.CreateAsync();
        await sim.SwitchOnAsync(new { mode = "decline", paymentKey = payment.PaymentKey });

        var answer = await (await sim.ApproveAsync(payment.PaymentKey)).JsonAsync();

        answer.GetProperty("code").GetString().ShouldBe("REJECT_CARD_PAYMENT");
        answer.GetProperty("redirectUrl").GetString()!.ShouldStartWith("https://shop.test/pay/fail?code=REJECT_CARD_PAYMENT");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("ABORTED");
    }

    [Fact]
    public async Task A_failure_aimed_at_an_order_id_leaves_other_payments_alone()
    {
        var target = await sim.CreateAsync();
        var other = await sim.CreateAsync();
        await sim.SwitchOnAsync(new { mode = "decline", orderId = target.OrderId });

        await sim.ApproveAsync(other.PaymentKey);
        await sim.ApproveAsync(target.PaymentKey);

        (await sim.GetAsync(other.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
        (await sim.GetAsync(target.PaymentKey)).Status().ShouldBe("ABORTED");
    }

    [Fact]
    public async Task Server_error_mode_answers_500_and_changes_nothing_until_its_count_runs_out()
    {
        var payment = await sim.CreateApprovedAsync();
        await sim.SwitchOnAsync(new { mode = "server-error", paymentKey = payment.PaymentKey, count = 2 });

        var key = Guid.NewGuid().ToString();
        (await (await sim.ConfirmAsync(payment, key)).ProblemAsync(500)).Code().ShouldBe("PROVIDER_ERROR");
        var get = await sim.Merchant.GetAsync($"/v1/payments/{payment.PaymentKey}");
        (await get.ProblemAsync(500)).Code().ShouldBe("PROVIDER_ERROR");

        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
        var retried = await sim.ConfirmAsync(payment, key);
        await retried.ShouldBeAsync(200);
        (await retried.JsonAsync()).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task Server_error_mode_can_be_narrowed_to_one_operation()
    {
        var orderId = PgSim.NewOrderId();
        await sim.SwitchOnAsync(new { mode = "server-error", orderId, operation = "create", count = 1 });

        (await (await sim.PostCreateAsync(PgSim.NewPaymentBody(orderId))).ProblemAsync(500)).Code().ShouldBe("PROVIDER_ERROR");
        (await sim.Merchant.GetAsync($"/v1/payments/orders/{orderId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await sim.PostCreateAsync(PgSim.NewPaymentBody(orderId))).ShouldBeAsync(200);
    }

    [Fact]
    public async Task Server_error_on_cancel_refunds_nothing()
    {
        var payment = await sim.CreateConfirmedAsync();
        await sim.SwitchOnAsync(new { mode = "server-error", paymentKey = payment.PaymentKey, operation = "cancel" });

        await (await sim.CancelAsync(payment.PaymentKey, "r")).ProblemAsync(500);

        var after = await sim.GetAsync(payment.PaymentKey);
        after.Status().ShouldBe("DONE");
        after.GetProperty("balanceAmount").GetInt64().ShouldBe(payment.Amount);
    }

    [Fact]
    public async Task Slow_confirm_mode_waits_then_captures()
    {
        var payment = await sim.CreateApprovedAsync();
        await sim.SwitchOnAsync(new { mode = "slow-confirm", paymentKey = payment.PaymentKey, delayMs = 400 });

        var watch = Stopwatch.StartNew();
        var response = await sim.ConfirmAsync(payment);

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
        (await response.JsonAsync()).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task A_retry_with_the_same_key_while_the_first_confirm_is_still_running_is_told_to_wait()
    {
        var payment = await sim.CreateApprovedAsync();
        await sim.SwitchOnAsync(new { mode = "slow-confirm", paymentKey = payment.PaymentKey, delayMs = 1_500, count = 1 });
        var key = Guid.NewGuid().ToString();

        var slow = sim.ConfirmAsync(payment, key);
        await Task.Delay(150);
        var retry = await sim.ConfirmAsync(payment, key);

        (await retry.ProblemAsync(409)).Code().ShouldBe("IDEMPOTENT_REQUEST_PROCESSING");
        await (await slow).ShouldBeAsync(200);
        await (await sim.ConfirmAsync(payment, key)).ShouldBeAsync(200);
    }

    [Fact]
    public async Task Duplicate_webhook_mode_delivers_each_webhook_twice_with_one_delivery_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateApprovedAsync(webhookUrl: receiver.Url);
        await sim.SwitchOnAsync(new { mode = "duplicate-webhook", paymentKey = payment.PaymentKey });

        await sim.ConfirmAsync(payment);

        var deliveries = await receiver.WaitForAsync(2, w => w.PaymentKey == payment.PaymentKey);
        deliveries.Select(d => d.DeliveryId).Distinct().Count().ShouldBe(1);
        deliveries.ShouldAllBe(d => d.IsSignedWith(PgSim.WebhookSecret) && d.PaymentStatus == "DONE");
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(300))).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Webhook_fail_mode_skips_the_first_attempts_so_the_delivery_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var payment = await sim.CreateApprovedAsync(webhookUrl: receiver.Url);
        await sim.SwitchOnAsync(new { mode = "webhook-fail", paymentKey = payment.PaymentKey, count = 2 });

        await sim.ConfirmAsync(payment);

        var delivered = (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey))[0];
        delivered.Headers["X-PgSim-Attempt"].ShouldBe("3");
        (await receiver.SettledFor(payment.PaymentKey, TimeSpan.FromMilliseconds(300))).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_counted_failure_switches_itself_off_and_a_switched_off_one_is_gone()
    {
        var orderId = PgSim.NewOrderId();
        var counted = await sim.SwitchOnAsync(new { mode = "server-error", orderId, count = 1 });
        var other = await sim.SwitchOnAsync(new { mode = "decline", orderId });

        await (await sim.PostCreateAsync(PgSim.NewPaymentBody(orderId))).ProblemAsync(500);
        (await sim.Anonymous.DeleteAsync($"/sim/failures/{other}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var ids = (await sim.Anonymous.GetFromJsonAsync<JsonElement>("/sim/failures")).EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        ids.ShouldNotContain(counted);
        ids.ShouldNotContain(other);
        (await sim.Anonymous.DeleteAsync($"/sim/failures/{other}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{}""", "mode")]
    [InlineData("""{"mode":"explode"}""", "mode")]
    [InlineData("""{"mode":"decline","count":0}""", "count")]
    [InlineData("""{"mode":"slow-confirm","delayMs":-1}""", "delayMs")]
    [InlineData("""{"mode":"decline","operation":"confirm"}""", "operation")]
    [InlineData("""{"mode":"server-error","operation":"refund"}""", "operation")]
    public async Task A_bad_failure_request_is_a_400_naming_the_field(string json, string field)
    {
        var response = await sim.Anonymous.PostAsync("/sim/failures", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        (await response.ProblemAsync(400)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }
}

public sealed class GlobalFailureModeTests
{
    [Fact]
    public async Task Timeout_mode_captures_the_payment_after_the_client_gave_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = new PgSim().OnKestrel();
        var payment = await sim.CreateApprovedAsync(webhookUrl: receiver.Url);
        await sim.SwitchOnAsync(new { mode = "timeout", paymentKey = payment.PaymentKey, delayMs = 2_000 });
        using var impatient = sim.NewKestrelClient(PgSim.SecretKey, TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<TaskCanceledException>(() => sim.ConfirmAsync(payment, client: impatient));

        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
        (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey, TimeSpan.FromSeconds(5)))[0].PaymentStatus.ShouldBe("DONE");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("DONE");
    }

    [Fact]
    public async Task A_global_failure_applies_to_every_payment_until_reset()
    {
        await using var sim = new PgSim();
        var first = await sim.CreateAsync();
        var second = await sim.CreateAsync();
        await sim.SwitchOnAsync(new { mode = "decline" });

        await sim.ApproveAsync(first.PaymentKey);
        await sim.ApproveAsync(second.PaymentKey);
        (await sim.Anonymous.DeleteAsync("/sim/failures")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var third = await sim.CreateApprovedAsync();

        (await sim.GetAsync(first.PaymentKey)).Status().ShouldBe("ABORTED");
        (await sim.GetAsync(second.PaymentKey)).Status().ShouldBe("ABORTED");
        (await sim.GetAsync(third.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
        (await sim.Anonymous.GetFromJsonAsync<JsonElement>("/sim/failures")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task The_most_specific_rule_wins()
    {
        await using var sim = new PgSim();
        var payment = await sim.CreateApprovedAsync();
        await sim.SwitchOnAsync(new { mode = "slow-confirm", delayMs = 3_000 });
        await sim.SwitchOnAsync(new { mode = "slow-confirm", paymentKey = payment.PaymentKey, delayMs = 1 });

        var watch = Stopwatch.StartNew();
        await (await sim.ConfirmAsync(payment)).ShouldBeAsync(200);

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }
}
