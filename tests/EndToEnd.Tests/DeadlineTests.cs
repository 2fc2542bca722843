using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>The payment deadline, with a system whose orders expire after a few seconds.</summary>
[Collection(ShortDeadlineSystemCollection.Name)]
public sealed class DeadlineTests(ShortDeadlineSystem system)
{
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task An_unpaid_order_expires_at_its_deadline_and_a_payment_made_afterwards_is_refunded()
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

        // The buyer pays late (the PG session stays open: Payment:VoidAtPg is off here): the money goes back.
        var answer = await shop.AnswerCheckoutAsync(awaiting.PaymentUrl!, "approve");
        using (await shop.FollowReturnAsync(answer.RedirectUrl))
        {
        }

        var refunded = await shop.WaitForPaymentAsync(placed.OrderId, p => p.RefundedAmount > 0, "the late payment to be refunded");
        (refunded.CapturedAmount, refunded.RefundedAmount).ShouldBe((placed.Total, placed.Total), refunded.Describe());
        refunded.Count("refunded").ShouldBe(1, refunded.Describe());
        var order = await shop.OrderAsAdminAsync(placed.OrderId);
        order.Status.ShouldBe("Expired", order.Describe());
        var stock = await shop.StockAsync(sku);
        (stock.OnHand, stock.Reserved).ShouldBe((5L, 0L));
    }
}
