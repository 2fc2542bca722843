using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>A buyer's order through every service, driven only through the gateway (and the PG's checkout).</summary>
[Collection(SteadySystemCollection.Name)]
public sealed class OrderSagaTests(SteadySystem system)
{
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task A_paid_order_commits_its_stock_and_records_one_capture()
    {
        var product = await shop.NewProductAsync(stock: 10);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();

        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 3));
        placed.Total.ShouldBe(3 * product.Price);
        var awaiting = await shop.WaitForPaymentUrlAsync(placed.OrderId);
        var reserved = await shop.StockAsync(sku);
        (reserved.OnHand, reserved.Reserved).ShouldBe((10L, 3L));

        await shop.PayAsync(awaiting.PaymentUrl!);

        var paid = await shop.WaitForStatusAsync(placed.OrderId, "Paid");
        paid.Total.ShouldBe(3 * product.Price);
        var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "the reservation to be committed");
        (stock.OnHand, stock.Reserved).ShouldBe((7L, 0L));
        var payment = (await shop.PaymentAsync(placed.OrderId))!;
        payment.CapturedAmount.ShouldBe(placed.Total, payment.Describe());
        payment.Count("captured").ShouldBe(1, payment.Describe());
        payment.RefundedAmount.ShouldBe(0);
        (await shop.OrderAsync(buyer, placed.OrderId)).Status.ShouldBe("Paid");
    }

    [Fact]
    public async Task An_order_for_more_than_the_stock_is_rejected_and_reserves_nothing()
    {
        var product = await shop.NewProductAsync(skus: 2, stock: 2);
        var buyer = await shop.NewCustomerAsync();

        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(product.SkuIds[0], 1), new OrderLine(product.SkuIds[1], 3));

        var rejected = await shop.WaitForOrderAsync(placed.OrderId, o => Shop.FinalStates.Contains(o.Status), "the order to be settled");
        rejected.Status.ShouldBe("Rejected", rejected.Describe());
        foreach (var sku in product.SkuIds)
        {
            var stock = await shop.StockAsync(sku);
            (stock.OnHand, stock.Reserved).ShouldBe((2L, 0L), $"SKU {sku}: all lines or none are reserved");
        }

        (await shop.PaymentAsync(placed.OrderId)).ShouldBeNull("a rejected order never opens a payment");
    }

    [Fact]
    public async Task A_declined_payment_fails_the_order_and_releases_its_reservation()
    {
        var product = await shop.NewProductAsync(stock: 5);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 2));
        var awaiting = await shop.WaitForPaymentUrlAsync(placed.OrderId);

        var answer = await shop.AnswerCheckoutAsync(awaiting.PaymentUrl!, "decline");
        using (var back = await shop.FollowReturnAsync(answer.RedirectUrl))
        {
            back.StatusCode.ShouldBe(HttpStatusCode.OK, await back.Content.ReadAsStringAsync());
        }

        await shop.WaitForStatusAsync(placed.OrderId, "Failed");
        var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "the reservation to be released");
        stock.OnHand.ShouldBe(5);
        var payment = (await shop.PaymentAsync(placed.OrderId))!;
        payment.CapturedAmount.ShouldBe(0, payment.Describe());
        payment.Count("captured").ShouldBe(0, payment.Describe());
    }

    [Fact]
    public async Task A_return_with_a_tampered_amount_is_refused_and_captures_nothing()
    {
        var product = await shop.NewProductAsync(stock: 5);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 2));
        var awaiting = await shop.WaitForPaymentUrlAsync(placed.OrderId);
        var answer = await shop.AnswerCheckoutAsync(awaiting.PaymentUrl!, "approve");
        var honest = $"amount={placed.Total}";
        answer.RedirectUrl.ShouldContain(honest);

        using var tampered = await shop.FollowReturnAsync(answer.RedirectUrl.Replace(honest, "amount=100"));

        tampered.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await tampered.Content.ReadAsStringAsync());
        await Task.Delay(TimeSpan.FromSeconds(2)); // anything the refusal might have set off has had time to happen
        var payment = (await shop.PaymentAsync(placed.OrderId))!;
        payment.CapturedAmount.ShouldBe(0, payment.Describe());
        payment.Count("captured").ShouldBe(0, payment.Describe());
        var order = await shop.OrderAsAdminAsync(placed.OrderId);
        order.Status.ShouldBe("AwaitingPayment", order.Describe());
        (await shop.StockAsync(sku)).OnHand.ShouldBe(5);
    }

    [Fact]
    public async Task Cancelling_a_paid_order_refunds_it_and_puts_the_stock_back()
    {
        var product = await shop.NewProductAsync(stock: 10);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 4));
        await shop.PayAsync((await shop.WaitForPaymentUrlAsync(placed.OrderId)).PaymentUrl!);
        await shop.WaitForStatusAsync(placed.OrderId, "Paid");
        await shop.WaitForStockAsync(sku, s => s is { OnHand: 6, Reserved: 0 }, "the sale to be committed");

        using (var cancel = await shop.SendRawAsync(HttpMethod.Post, $"/api/ordering/orders/{placed.OrderId}/cancel", buyer.AccessToken))
        {
            cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancel.Content.ReadAsStringAsync());
        }

        await shop.WaitForStatusAsync(placed.OrderId, "Cancelled");
        var payment = await shop.WaitForPaymentAsync(placed.OrderId, p => p.RefundedAmount > 0, "the refund");
        payment.RefundedAmount.ShouldBe(placed.Total, payment.Describe());
        payment.Count("refunded").ShouldBe(1, payment.Describe());
        payment.Count("captured").ShouldBe(1, payment.Describe());
        var stock = await shop.WaitForStockAsync(sku, s => s.OnHand == 10, "the stock to come back");
        (stock.OnHand, stock.Reserved).ShouldBe((10L, 0L));
    }

    [Fact]
    public async Task One_idempotency_key_sent_twice_makes_one_order_and_one_charge()
    {
        var product = await shop.NewProductAsync(stock: 10);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var key = Guid.NewGuid().ToString("N");
        OrderLine[] lines = [new(sku, 2)];

        using var first = await shop.PostOrderAsync(buyer, lines, key);
        using var second = await shop.PostOrderAsync(buyer, lines, key);

        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        second.StatusCode.ShouldBe(HttpStatusCode.OK, await second.Content.ReadAsStringAsync());
        var placed = (await first.Content.ReadFromJsonAsync<PlacedOrder>())!;
        (await second.Content.ReadFromJsonAsync<PlacedOrder>())!.OrderId.ShouldBe(placed.OrderId);
        await shop.PayAsync((await shop.WaitForPaymentUrlAsync(placed.OrderId)).PaymentUrl!);
        await shop.WaitForStatusAsync(placed.OrderId, "Paid");

        var mine = await ReadJsonAsync(await shop.SendRawAsync(HttpMethod.Get, "/api/ordering/orders", buyer.AccessToken));
        mine.GetProperty("items").GetArrayLength().ShouldBe(1);
        var payment = (await shop.PaymentAsync(placed.OrderId))!;
        (payment.Count("captured"), payment.CapturedAmount).ShouldBe((1, placed.Total), payment.Describe());
        var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "the sale to be committed");
        stock.OnHand.ShouldBe(8);
    }

    [Fact]
    public async Task A_duplicated_pg_webhook_records_one_capture()
    {
        var product = await shop.NewProductAsync(stock: 10);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 1));
        var awaiting = await shop.WaitForPaymentUrlAsync(placed.OrderId);
        var paymentKey = new Uri(awaiting.PaymentUrl!).Segments[^1];
        await shop.SwitchPgFailureAsync(new { mode = "duplicate-webhook", paymentKey });

        await shop.PayAsync(awaiting.PaymentUrl!);

        await shop.WaitForStatusAsync(placed.OrderId, "Paid");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the duplicated deliveries arrive after the first
        var payment = (await shop.PaymentAsync(placed.OrderId))!;
        (payment.Count("captured"), payment.CapturedAmount).ShouldBe((1, placed.Total), payment.Describe());
        var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "the sale to be committed");
        stock.OnHand.ShouldBe(9);
        (await shop.OrderAsAdminAsync(placed.OrderId)).Status.ShouldBe("Paid");
    }

    [Fact]
    public async Task A_customer_cannot_read_or_cancel_another_customers_order_nor_call_admin_endpoints()
    {
        var product = await shop.NewProductAsync(stock: 5);
        var sku = product.SkuIds[0];
        var alice = await shop.NewCustomerAsync();
        var bob = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(alice, new OrderLine(sku, 1));
        await shop.WaitForPaymentUrlAsync(placed.OrderId);

        using (var read = await shop.SendRawAsync(HttpMethod.Get, $"/api/ordering/orders/{placed.OrderId}", bob.AccessToken))
        {
            read.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using (var cancel = await shop.SendRawAsync(HttpMethod.Post, $"/api/ordering/orders/{placed.OrderId}/cancel", bob.AccessToken))
        {
            cancel.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using (var payment = await shop.SendRawAsync(HttpMethod.Get, $"/api/payment/payments/orders/{placed.OrderId}", bob.AccessToken))
        {
            payment.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        (await shop.OrderAsync(alice, placed.OrderId)).Status.ShouldBe("AwaitingPayment");

        (HttpMethod Method, string Path, object? Body)[] adminCalls =
        [
            (HttpMethod.Get, "/api/ordering/admin/orders", null),
            (HttpMethod.Get, $"/api/ordering/admin/orders/{placed.OrderId}", null),
            (HttpMethod.Put, $"/api/inventory/admin/stock/{sku}", new { onHand = 1000, reason = "free stock" }),
            (HttpMethod.Get, $"/api/inventory/stock/{sku}", null),
            (HttpMethod.Post, "/api/catalog/products", new { name = "Sneaky", categoryId = Guid.NewGuid(), price = 1 }),
            (HttpMethod.Get, "/api/payment/admin/payments", null),
            (HttpMethod.Get, "/api/identity/admin/users", null),
        ];
        foreach (var (method, path, body) in adminCalls)
        {
            using var response = await shop.SendRawAsync(method, path, alice.AccessToken, body);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {path}");
        }

        var stock = await shop.StockAsync(sku);
        (stock.OnHand, stock.Reserved).ShouldBe((5L, 1L));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }
}
