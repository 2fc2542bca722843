using Stampede.Contracts.Inventory;
using Stampede.Contracts.Payment;
using Stampede.Ordering.Orders;

namespace Stampede.Ordering.Tests.Infrastructure;

/// <summary>Moves an order along the saga the way its neighbours would: by publishing their events
/// to the broker and waiting for ordering to react.</summary>
public static class SagaSteps
{
    public static async Task<OrderDetails> ReserveStockAsync(this OrderingApp app, Guid orderId)
    {
        await app.Broker.PublishAsync(new StockReserved(orderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        return await app.WaitForOrderAsync(orderId, order => order.PaymentUrl is not null);
    }

    public static async Task<OrderDetails> PlaceAwaitingPaymentAsync(this OrderingApp app, HttpClient client, long price = 10_000)
    {
        var placed = await app.PlaceSimpleAsync(client, price);
        return await app.ReserveStockAsync(placed.OrderId);
    }

    public static PaymentCaptured CaptureFor(this OrderingApp app, OrderDetails order, long? amount = null) =>
        new(order.OrderId, app.Payment.SessionOf(order.OrderId).PaymentId, amount ?? order.Total, order.Currency);

    public static async Task<OrderDetails> PlacePaidAsync(this OrderingApp app, HttpClient client, long price = 10_000)
    {
        var order = await app.PlaceAwaitingPaymentAsync(client, price);
        await app.Broker.PublishAsync(app.CaptureFor(order));
        return await app.WaitForStatusAsync(order.OrderId, "Paid");
    }
}
