using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>Many buyers at once, and a service dying in the middle of the saga.</summary>
[Collection(SteadySystemCollection.Name)]
public sealed class ConcurrencyAndCrashTests(SteadySystem system)
{
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task Two_hundred_concurrent_orders_for_fifty_units_reserve_exactly_fifty()
    {
        const int units = 50;
        const int orders = 200;
        var product = await shop.NewProductAsync(stock: units);
        var sku = product.SkuIds[0];
        var buyers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => shop.NewCustomerAsync()));

        var responses = await Task.WhenAll(Enumerable.Range(0, orders).Select(async i =>
        {
            using var response = await shop.PostOrderAsync(buyers[i % buyers.Length], [new OrderLine(sku, 1)]);
            await Shop.ExpectAsync(response, HttpStatusCode.Created, $"place order {i}");
            return (await response.Content.ReadFromJsonAsync<PlacedOrder>())!;
        }));

        var settled = await WaitUntilSettledAsync(responses.Select(r => r.OrderId).ToList());
        var byStatus = settled.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        byStatus.GetValueOrDefault("AwaitingPayment").ShouldBe(units, Describe(byStatus));
        byStatus.GetValueOrDefault("Rejected").ShouldBe(orders - units, Describe(byStatus));
        var stock = await shop.StockAsync(sku);
        (stock.OnHand, stock.Reserved, stock.Available).ShouldBe(((long)units, (long)units, 0L));

        // The ledger balances: its deltas add up to the stock, one reserve row per order that got stock.
        var ledger = await shop.StockLedgerAsync(sku);
        (ledger.Sum(row => row.DeltaOnHand), ledger.Sum(row => row.DeltaReserved)).ShouldBe((stock.OnHand, stock.Reserved));
        var reservedFor = ledger.Where(row => row.Reason == "reserve").Select(row => row.OrderId).ToHashSet();
        reservedFor.SetEquals(settled.Where(o => o.Status == "AwaitingPayment").Select(o => (Guid?)o.OrderId)).ShouldBeTrue(
            $"the ledger reserved for {reservedFor.Count} orders, not exactly the {units} awaiting payment");
    }

    [Theory]
    [InlineData("ordering")]
    [InlineData("inventory")]
    public async Task Orders_placed_just_before_a_service_is_killed_still_complete_after_it_restarts(string victim)
    {
        var product = await shop.NewProductAsync(stock: 10);
        var sku = product.SkuIds[0];
        var buyers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => shop.NewCustomerAsync()));
        var placed = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => shop.PlaceOrderAsync(buyers[i % 3], new OrderLine(sku, 1))));

        system.System.Kill(victim);
        await Task.Delay(TimeSpan.FromSeconds(1));
        system.System.IsRunning(victim).ShouldBeFalse();
        await system.System.RestartAsync(victim);

        foreach (var order in placed)
        {
            var awaiting = await shop.WaitForPaymentUrlAsync(order.OrderId);
            await shop.PayAsync(awaiting.PaymentUrl!);
        }

        foreach (var order in placed)
        {
            await shop.WaitForStatusAsync(order.OrderId, "Paid");
            var payment = (await shop.PaymentAsync(order.OrderId))!;
            (payment.Count("captured"), payment.CapturedAmount).ShouldBe((1, order.Total), payment.Describe());
        }

        var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "every sale to be committed");
        stock.OnHand.ShouldBe(4);
    }

    /// <summary>Reads the orders (a few at a time) until none is AwaitingStock or lacks its payment URL.</summary>
    private async Task<List<OrderView>> WaitUntilSettledAsync(List<Guid> orderIds)
    {
        var clock = Stopwatch.StartNew();
        var latest = new Dictionary<Guid, OrderView>();
        var pending = orderIds;
        while (pending.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var read = new List<OrderView>();
            foreach (var chunk in pending.Chunk(16))
            {
                read.AddRange(await Task.WhenAll(chunk.Select(shop.OrderAsAdminAsync)));
            }

            foreach (var order in read)
            {
                latest[order.OrderId] = order;
            }

            pending = [.. read.Where(o => o.Status == "AwaitingStock" || (o.Status == "AwaitingPayment" && o.PaymentUrl is null)).Select(o => o.OrderId)];
            if (pending.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        pending.ShouldBeEmpty($"after {clock.Elapsed.TotalSeconds:0} s these orders still wait: " +
            string.Join("; ", pending.Take(5).Select(id => latest[id].Describe())));
        return [.. latest.Values];
    }

    private static string Describe(Dictionary<string, int> byStatus) =>
        "orders by status: " + string.Join(", ", byStatus.Select(p => $"{p.Key} {p.Value}"));
}
