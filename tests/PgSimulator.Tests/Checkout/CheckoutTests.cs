using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Stampede.PgSimulator.Tests.Checkout;

public sealed class CheckoutTests(PgSim sim) : IClassFixture<PgSim>
{
    [Fact]
    public async Task The_checkout_page_shows_the_order_and_the_amount_in_won_with_both_buttons()
    {
        var payment = await sim.CreateAsync(amount: 1_234_500);

        var response = await sim.Anonymous.GetAsync(new Uri(payment.Json.GetProperty("checkoutUrl").GetString()!).PathAndQuery);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("Running shoes");
        html.ShouldContain("₩1,234,500");
        html.ShouldContain($"action=\"http://localhost/checkout/{payment.PaymentKey}/approve\"");
        html.ShouldContain($"action=\"http://localhost/checkout/{payment.PaymentKey}/decline\"");
    }

    [Fact]
    public async Task The_checkout_page_escapes_the_order_name()
    {
        var response = await sim.PostCreateAsync(PgSim.NewPaymentBody(PgSim.NewOrderId(), orderName: "<script>alert(1)</script>"));
        var paymentKey = (await response.JsonAsync()).GetProperty("paymentKey").GetString();

        var html = await sim.Anonymous.GetStringAsync($"/checkout/{paymentKey}");

        html.ShouldNotContain("<script>");
        html.ShouldContain("&lt;script&gt;");
    }

    [Fact]
    public async Task The_page_of_an_answered_payment_shows_its_status_without_buttons()
    {
        var payment = await sim.CreateApprovedAsync();

        var html = await sim.Anonymous.GetStringAsync($"/checkout/{payment.PaymentKey}");

        html.ShouldContain("IN_PROGRESS");
        html.ShouldNotContain("<button");
    }

    [Fact]
    public async Task An_unknown_checkout_page_is_a_404()
    {
        (await sim.Anonymous.GetAsync("/checkout/pk_nope")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Approving_from_the_page_redirects_to_the_success_url_with_payment_key_order_id_and_amount()
    {
        var payment = await sim.CreateAsync(amount: 9_900);

        var response = await sim.Anonymous.PostAsync($"/checkout/{payment.PaymentKey}/approve", new FormUrlEncodedContent([]));

        response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).ShouldBe("https://shop.test/pay/success");
        var query = QueryHelpers.ParseQuery(location.Query);
        query["paymentKey"].ToString().ShouldBe(payment.PaymentKey);
        query["orderId"].ToString().ShouldBe(payment.OrderId);
        query["amount"].ToString().ShouldBe("9900");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
    }

    [Fact]
    public async Task Approving_with_accept_json_answers_where_to_go_instead_of_redirecting()
    {
        var payment = await sim.CreateAsync(amount: 9_900);

        var response = await sim.ApproveAsync(payment.PaymentKey);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await response.JsonAsync();
        answer.GetProperty("redirectUrl").GetString().ShouldBe($"https://shop.test/pay/success?paymentKey={payment.PaymentKey}&orderId={payment.OrderId}&amount=9900");
        answer.GetProperty("paymentKey").GetString().ShouldBe(payment.PaymentKey);
        answer.GetProperty("amount").GetInt64().ShouldBe(9_900);
        answer.Status().ShouldBe("IN_PROGRESS");
    }

    [Fact]
    public async Task Approving_twice_is_harmless()
    {
        var payment = await sim.CreateAsync();
        var first = await (await sim.ApproveAsync(payment.PaymentKey)).JsonAsync();

        var again = await sim.ApproveAsync(payment.PaymentKey);

        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.JsonAsync()).GetProperty("redirectUrl").GetString().ShouldBe(first.GetProperty("redirectUrl").GetString());
    }

    [Fact]
    public async Task Declining_aborts_the_payment_and_redirects_to_the_fail_url()
    {
        var payment = await sim.CreateAsync();

        var response = await sim.Anonymous.PostAsync($"/checkout/{payment.PaymentKey}/decline", new FormUrlEncodedContent([]));

        response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).ShouldBe("https://shop.test/pay/fail");
        var query = QueryHelpers.ParseQuery(location.Query);
        query["code"].ToString().ShouldBe("PAY_PROCESS_CANCELED");
        query["orderId"].ToString().ShouldBe(payment.OrderId);
        query["message"].ToString().ShouldNotBeEmpty();
        var aborted = await sim.GetAsync(payment.PaymentKey);
        aborted.Status().ShouldBe("ABORTED");
        aborted.GetProperty("failure").GetProperty("code").GetString().ShouldBe("PAY_PROCESS_CANCELED");
    }

    [Fact]
    public async Task Approving_a_declined_payment_is_a_409_and_declining_it_again_is_harmless()
    {
        var payment = await sim.CreateAsync();
        await sim.DeclineAsync(payment.PaymentKey);

        (await (await sim.ApproveAsync(payment.PaymentKey)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_ABORTED");
        (await sim.DeclineAsync(payment.PaymentKey)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("ABORTED");
    }

    [Fact]
    public async Task Declining_after_approving_is_a_409()
    {
        var payment = await sim.CreateApprovedAsync();

        await (await sim.DeclineAsync(payment.PaymentKey)).ProblemAsync(409);
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
    }

    [Fact]
    public async Task Answering_an_unknown_payment_is_a_404()
    {
        await (await sim.ApproveAsync("pk_nope")).ProblemAsync(404);
    }

    [Fact]
    public async Task The_success_url_keeps_its_own_query()
    {
        var response = await sim.PostCreateAsync(new
        {
            orderId = PgSim.NewOrderId(),
            amount = 500,
            orderName = "Socks",
            successUrl = "https://shop.test/pay/success?session=abc",
            failUrl = "https://shop.test/pay/fail",
        });
        var paymentKey = (await response.JsonAsync()).GetProperty("paymentKey").GetString()!;

        var answer = await (await sim.ApproveAsync(paymentKey)).JsonAsync();

        answer.GetProperty("redirectUrl").GetString()!.ShouldStartWith("https://shop.test/pay/success?session=abc&paymentKey=");
    }
}

public sealed class CheckoutExpiryTests
{
    [Fact]
    public async Task An_unanswered_checkout_expires_and_can_no_longer_be_approved()
    {
        var clock = new ManualClock();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = new PgSim().WithClock(clock).With("PgSim:CheckoutExpiry", "00:30:00");
        var payment = await sim.CreateAsync(webhookUrl: receiver.Url);

        clock.Advance(TimeSpan.FromMinutes(31));

        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("EXPIRED");
        (await (await sim.ApproveAsync(payment.PaymentKey)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_EXPIRED");
        (await receiver.WaitForAsync(1, w => w.PaymentKey == payment.PaymentKey))[0].PaymentStatus.ShouldBe("EXPIRED");
    }

    [Fact]
    public async Task A_checkout_with_validUntil_closes_then_though_the_PG_would_keep_it_open_longer()
    {
        var clock = new ManualClock();
        await using var sim = new PgSim().WithClock(clock).With("PgSim:CheckoutExpiry", "00:30:00");
        var body = new
        {
            orderId = PgSim.NewOrderId(), amount = 9_000, orderName = "Socks", successUrl = "https://shop.test/pay/success",
            failUrl = "https://shop.test/pay/fail", validUntil = clock.GetUtcNow().AddMinutes(15),
        };
        using var created = await sim.PostCreateAsync(body);
        await created.ShouldBeAsync(200);
        var paymentKey = (await created.JsonAsync()).GetProperty("paymentKey").GetString()!;

        clock.Advance(TimeSpan.FromMinutes(14));
        (await sim.GetAsync(paymentKey)).Status().ShouldBe("READY");
        clock.Advance(TimeSpan.FromMinutes(1));

        (await sim.GetAsync(paymentKey)).Status().ShouldBe("EXPIRED");
        (await (await sim.ApproveAsync(paymentKey)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_EXPIRED");
    }

    [Fact]
    public async Task A_validUntil_in_the_past_is_refused_naming_the_field()
    {
        await using var sim = new PgSim();
        using var response = await sim.PostCreateAsync(new
        {
            orderId = PgSim.NewOrderId(), amount = 9_000, orderName = "Socks", successUrl = "https://shop.test/pay/success",
            failUrl = "https://shop.test/pay/fail", validUntil = DateTimeOffset.UtcNow.AddSeconds(-1),
        });

        (await response.ProblemAsync(400)).GetProperty("errors").TryGetProperty("validUntil", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task An_approved_payment_left_unconfirmed_expires_and_can_no_longer_be_confirmed()
    {
        var clock = new ManualClock();
        await using var sim = new PgSim().WithClock(clock).With("PgSim:ConfirmExpiry", "00:10:00");
        var payment = await sim.CreateApprovedAsync();

        clock.Advance(TimeSpan.FromMinutes(9));
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("IN_PROGRESS");
        clock.Advance(TimeSpan.FromMinutes(2));

        (await (await sim.ConfirmAsync(payment)).ProblemAsync(409)).Code().ShouldBe("PAYMENT_EXPIRED");
        (await sim.GetAsync(payment.PaymentKey)).Status().ShouldBe("EXPIRED");
    }

    [Fact]
    public async Task An_expired_order_id_can_be_paid_again()
    {
        var clock = new ManualClock();
        await using var sim = new PgSim().WithClock(clock);
        var payment = await sim.CreateAsync();
        clock.Advance(TimeSpan.FromHours(1));

        var again = await sim.PostCreateAsync(PgSim.NewPaymentBody(payment.OrderId));

        await again.ShouldBeAsync(200);
    }
}
