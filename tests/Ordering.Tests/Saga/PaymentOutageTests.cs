using System.Net.Http.Json;
using Stampede.Contracts.Inventory;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

public sealed class PaymentOutageTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task While_payment_is_down_the_order_awaits_payment_and_gets_its_url_once_payment_is_back()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        app.Payment.Down = true;

        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        await app.WaitForStatusAsync(placed.OrderId, "AwaitingPayment");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (app.Payment.Refused < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);

        app.Payment.Refused.ShouldBeGreaterThanOrEqualTo(2, "the handler retries while payment is down");
        var meanwhile = (await client.GetFromJsonAsync<OrderDetails>($"/orders/{placed.OrderId}"))!;
        meanwhile.Status.ShouldBe("AwaitingPayment");
        meanwhile.PaymentUrl.ShouldBeNull();

        app.Payment.Down = false;
        var served = await app.WaitForOrderAsync(placed.OrderId, order => order.PaymentUrl is not null, TimeSpan.FromSeconds(60));

        served.Status.ShouldBe("AwaitingPayment");
        served.PaymentUrl.ShouldBe(app.Payment.SessionOf(placed.OrderId).PaymentUrl);
        served.History.Count(change => change.Status == "AwaitingPayment").ShouldBe(1);
    }
}
