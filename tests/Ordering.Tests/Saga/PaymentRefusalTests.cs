using Stampede.Contracts.Inventory;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Payments;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

/// <summary>What payment refuses as invalid must not loop: names are cut to what the PG accepts, and a
/// refused session request fails the order with the reason.</summary>
public sealed class PaymentRefusalTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static Order OrderOf(params string[] names) => Order.Place(Guid.NewGuid(), "ORD-20261204-000001", Guid.NewGuid(),
        [.. names.Select(name => new OrderItem(Guid.NewGuid(), name, null, 1, 1_000))], "KRW", Now, TimeSpan.FromMinutes(15));

    [Fact]
    public async Task Two_products_with_200_character_names_get_a_payment_url()
    {
        using var client = app.NewCustomer();
        var first = app.Catalog.AddSku(10_000, productName: new string('a', 200));
        var second = app.Catalog.AddSku(20_000, productName: new string('b', 200));
        var placed = await OrderingApp.PlaceAsync(client, (first, 1), (second, 1));

        await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
        var served = await app.WaitForOrderAsync(placed.OrderId, order => order.PaymentUrl is not null);

        served.Status.ShouldBe("AwaitingPayment");
        var asked = app.Payment.Requests.Single(request => request.OrderId == placed.OrderId);
        asked.OrderName.Length.ShouldBe(PaymentSessions.OrderNameLimit);
        asked.OrderName.ShouldEndWith("… and 1 more");
        asked.OrderName.ShouldStartWith("aaaa");
        // The PG is told to close the checkout at the order's deadline.
        asked.PayBy.ShouldBe(served.PaymentDeadline);
    }

    [Fact]
    public async Task A_session_payment_refuses_as_invalid_fails_the_order_with_the_reason_and_releases_the_stock()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceSimpleAsync(client);
        app.Payment.RefuseAsInvalid = true;
        try
        {
            await app.Broker.PublishAsync(new StockReserved(placed.OrderId, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(20)));
            var failed = await app.WaitForStatusAsync(placed.OrderId, "Failed");

            failed.PaymentUrl.ShouldBeNull();
            failed.History.Last().Reason.ShouldContain("payment refused the session request (400)");
            failed.History.Last().Reason.ShouldContain("currency");
            (await app.OutboxCountAsync("ordering.order-failed.v1", placed.OrderId)).ShouldBe(1);
        }
        finally
        {
            app.Payment.RefuseAsInvalid = false;
        }
    }

    [Fact]
    public void A_short_name_is_kept_whole()
    {
        PaymentSessions.OrderName(OrderOf("Linen shirt", "Socks", "Cap")).ShouldBe("Linen shirt and 2 more");
        PaymentSessions.OrderName(OrderOf("Linen shirt")).ShouldBe("Linen shirt");
    }

    [Fact]
    public void A_long_name_is_cut_without_splitting_a_character()
    {
        // 🙂 is two UTF-16 code units; place one across the cut.
        var name = new string('x', 198) + "🙂" + new string('y', 10);
        var cut = PaymentSessions.OrderName(OrderOf(name));

        cut.Length.ShouldBeLessThanOrEqualTo(PaymentSessions.OrderNameLimit);
        cut.ShouldBe(new string('x', 198) + "…");
        char.IsHighSurrogate(cut[^2]).ShouldBeFalse();
    }
}
