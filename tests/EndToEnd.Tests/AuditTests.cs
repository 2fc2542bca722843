using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>`./stampede audit` on the running system: after orders are paid and others rejected, the
/// services agree on stock, money and orders (each collection also ends with this audit).</summary>
[Collection(SteadySystemCollection.Name)]
public sealed class AuditTests(SteadySystem system)
{
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task After_paid_and_rejected_orders_the_audit_finds_every_paid_order_backed_by_money_and_stock()
    {
        var product = await shop.NewProductAsync(stock: 5);
        var buyer = await shop.NewCustomerAsync();
        var paid = await shop.PlaceOrderAsync(buyer, new OrderLine(product.SkuIds[0], 2));
        await shop.PayAsync((await shop.WaitForPaymentUrlAsync(paid.OrderId)).PaymentUrl!);
        await shop.WaitForStatusAsync(paid.OrderId, "Paid");
        var rejected = await shop.PlaceOrderAsync(buyer, new OrderLine(product.SkuIds[0], 9));
        await shop.WaitForStatusAsync(rejected.OrderId, "Rejected");
        await shop.WaitForStockAsync(product.SkuIds[0], s => s.Reserved == 0, "the paid order's stock to be committed");

        // Past the grace, so the audit checks this order's commit too.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var report = await system.System.AuditAsync(TimeSpan.FromSeconds(5));

        report.Findings.ShouldBeEmpty(string.Join("; ", report.Findings.Select(f => $"{f.Check} {f.Id}: {f.Detail}")));
        report.PaidOrders.ShouldBeGreaterThanOrEqualTo(1);
        report.PaymentsHoldingMoney.ShouldBeGreaterThanOrEqualTo(report.PaidOrders);
        report.Skus.ShouldBeGreaterThanOrEqualTo(1);
    }
}
