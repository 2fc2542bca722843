using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Contracts.Ordering;
using Stampede.Payment.Tests.Infrastructure;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Payment.Tests.Payments;

public sealed class GetPaymentsTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task The_buyer_reads_the_payment_of_their_order_with_its_ledger()
    {
        var buyer = Guid.NewGuid();
        var session = await app.CapturedSessionAsync(amount: 45_000, userId: buyer);
        await app.PublishAndWaitAsync(new RefundRequested(session.OrderId, session.PaymentId, 5_000, "One item returned"));
        using var client = app.ClientFor(buyer);

        var payment = await client.GetFromJsonAsync<JsonElement>($"/payments/orders/{session.OrderId}");

        payment.GetProperty("paymentId").GetGuid().ShouldBe(session.PaymentId);
        payment.GetProperty("orderId").GetGuid().ShouldBe(session.OrderId);
        payment.GetProperty("status").GetString().ShouldBe("PartiallyRefunded");
        payment.GetProperty("amount").GetInt64().ShouldBe(45_000);
        payment.GetProperty("capturedAmount").GetInt64().ShouldBe(45_000);
        payment.GetProperty("refundedAmount").GetInt64().ShouldBe(5_000);
        var ledger = payment.GetProperty("ledger").EnumerateArray().ToList();
        ledger.Select(e => e.GetProperty("kind").GetString()).ShouldBe(["authorised", "captured", "refunded"]);
        ledger.Select(e => e.GetProperty("amount").GetInt64()).ShouldBe([45_000, 45_000, 5_000]);
        ledger[1].GetProperty("pgTransactionKey").GetString().ShouldStartWith("tx_");
        ledger[2].GetProperty("pgTransactionKey").GetString().ShouldStartWith("tx_");
        ledger[2].GetProperty("at").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(ledger[1].GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Another_customer_cannot_see_the_payment()
    {
        var session = await app.OpenSessionAsync();
        using var stranger = app.ClientFor(Guid.NewGuid());

        using var response = await stranger.GetAsync($"/payments/orders/{session.OrderId}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reading_a_payment_needs_a_token()
    {
        var session = await app.OpenSessionAsync();
        using var anonymous = app.Anonymous();

        using var response = await anonymous.GetAsync($"/payments/orders/{session.OrderId}");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_admin_reads_any_payment_and_lists_them_by_status()
    {
        var open = await app.OpenSessionAsync();
        var captured = await app.CapturedSessionAsync();
        using var admin = app.Admin();

        var payment = await admin.GetFromJsonAsync<JsonElement>($"/payments/orders/{open.OrderId}");
        var capturedPage = await admin.GetFromJsonAsync<JsonElement>("/admin/payments?status=captured&pageSize=100");
        var openPage = await admin.GetFromJsonAsync<JsonElement>("/admin/payments?status=SessionOpen&pageSize=100");

        payment.GetProperty("userId").GetGuid().ShouldBe(open.UserId);
        var capturedIds = capturedPage.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("orderId").GetGuid()).ToList();
        capturedIds.ShouldContain(captured.OrderId);
        capturedIds.ShouldNotContain(open.OrderId);
        capturedPage.GetProperty("items").EnumerateArray().ShouldAllBe(i => i.GetProperty("status").GetString() == "Captured");
        openPage.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("orderId").GetGuid()).ShouldContain(open.OrderId);
        openPage.GetProperty("total").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
        openPage.GetProperty("pageSize").GetInt32().ShouldBe(100);
    }

    [Fact]
    public async Task A_customer_cannot_list_payments()
    {
        using var customer = app.ClientFor(Guid.NewGuid(), Roles.Customer);

        using var response = await customer.GetAsync("/admin/payments");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_bad_listing_query_is_refused_naming_each_field()
    {
        using var admin = app.Admin();

        using var response = await admin.GetAsync("/admin/payments?status=Paid&page=0&pageSize=1000");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).Order().ShouldBe(["page", "pageSize", "status"]);
    }
}
