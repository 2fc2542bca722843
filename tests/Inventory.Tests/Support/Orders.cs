using System.Net.Http.Json;
using Stampede.Contracts.Ordering;

namespace Stampede.Inventory.Tests.Support;

/// <summary>Order events as ordering would publish them.</summary>
public static class Orders
{
    private static int number;

    public static OrderPlaced Placed(params (Guid SkuId, int Quantity)[] lines) => Placed(DateTimeOffset.UtcNow.AddMinutes(15), lines);

    public static OrderPlaced Placed(DateTimeOffset paymentDeadline, params (Guid SkuId, int Quantity)[] lines)
    {
        var orderLines = lines.Select(line => new OrderLine(line.SkuId, line.Quantity, 1_000)).ToList();
        return new OrderPlaced(Guid.CreateVersion7(), $"ORD-TEST-{Interlocked.Increment(ref number):D6}", Guid.CreateVersion7(), orderLines,
            orderLines.Sum(line => line.Quantity * line.UnitPrice), "KRW", paymentDeadline);
    }

    public static OrderPaid Paid(OrderPlaced order) => new(order.OrderId, order.UserId, Guid.CreateVersion7(), order.Total);

    public static OrderCancelled Cancelled(OrderPlaced order, bool wasPaid) =>
        new(order.OrderId, wasPaid, wasPaid ? Guid.CreateVersion7() : null, wasPaid ? order.Total : 0, "changed my mind");

    /// <summary>Sets a SKU's on-hand units through the admin API.</summary>
    public static async Task SeedAsync(this InventoryApp app, Guid skuId, long onHand)
    {
        using var admin = app.Admin();
        var response = await admin.PutAsJsonAsync($"/admin/stock/{skuId}", new { onHand, reason = "test stock" });
        response.EnsureSuccessStatusCode();
    }
}
