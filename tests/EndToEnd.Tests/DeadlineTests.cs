using System.Net;
using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>The payment deadline, with a system whose orders expire after a few seconds.</summary>
[Collection(ShortDeadlineSystemCollection.Name)]
public sealed class DeadlineTests(ShortDeadlineSystem system)
{
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task An_unpaid_order_expires_at_its_deadline_and_its_PG_checkout_closes_with_it()
    {
        var product = await shop.NewProductAsync(stock: 5);
        var sku = product.SkuIds[0];
        var buyer = await shop.NewCustomerAsync();
        var placed = await shop.PlaceOrderAsync(buyer, new OrderLine(sku, 2));
        var awaiting = await shop.WaitForPaymentUrlAsync(placed.OrderId);
        (await shop.StockAsync(sku)).Reserved.ShouldBe(2);

        var expired = await shop.WaitForStatusAsync(placed.OrderId, "Expired", ShortDeadlineSystem.PaymentDeadline + Shop.SagaTimeout);

        expired.History.Last().At.ShouldBeGreaterThanOrEqualTo(awaiting.PaymentDeadline);
        var released = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "the reservation to be released");
        released.OnHand.ShouldBe(5);

        // The buyer tries to pay late: the PG closed the checkout at the order's deadline, so nothing is captured.
        using var late = await shop.SendCheckoutAnswerAsync(awaiting.PaymentUrl!, "approve");
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict, await late.Content.ReadAsStringAsync());
        (await late.Content.ReadAsStringAsync()).ShouldContain("PAYMENT_EXPIRED");
        var payment = await shop.PaymentAsync(placed.OrderId);
        (payment?.CapturedAmount ?? 0).ShouldBe(0, payment?.Describe());
        var order = await shop.OrderAsAdminAsync(placed.OrderId);
        order.Status.ShouldBe("Expired", order.Describe());
        var stock = await shop.StockAsync(sku);
        (stock.OnHand, stock.Reserved).ShouldBe((5L, 0L));
    }
}
