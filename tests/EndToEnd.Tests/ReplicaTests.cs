using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Stampede.EndToEnd.Tests.Infrastructure;

namespace Stampede.EndToEnd.Tests;

/// <summary>`up --replicas`: two instances of ordering, inventory and payment behind the gateway, one of each
/// killed in the middle of a batch of orders.</summary>
[Collection(ReplicatedSystemCollection.Name)]
public sealed class ReplicaTests(ReplicatedSystem system, ITestOutputHelper output)
{
    private const int Orders = 30;
    private const long StockPerSku = 20;
    private readonly Shop shop = system.Shop;

    [Fact]
    public async Task Orders_survive_one_instance_of_each_replicated_service_being_killed_mid_run()
    {
        var product = await shop.NewProductAsync(skus: 3, stock: StockPerSku);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => shop.NewCustomerAsync()));
        var clock = Stopwatch.StartNew();
        var placedCount = 0;

        var buying = Enumerable.Range(0, Orders).Select(async i =>
        {
            var sku = product.SkuIds[i % product.SkuIds.Count];
            var placed = await RetryAsync($"place order {i}", async () =>
            {
                // One key per order: a retry after an instance died returns the first order, never a second one.
                using var response = await shop.PostOrderAsync(buyers[i % buyers.Length], [new OrderLine(sku, 1)], $"replica-order-{i}");
                return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK
                    ? await response.Content.ReadFromJsonAsync<PlacedOrder>()
                    : null;
            });
            Interlocked.Increment(ref placedCount);
            var awaiting = await shop.WaitForPaymentUrlAsync(placed!.OrderId, TimeSpan.FromSeconds(60));
            var answer = await shop.AnswerCheckoutAsync(awaiting.PaymentUrl!, "approve");
            // The return may reach the instance being killed; the buyer's browser tries again, the webhook also tells payment.
            await RetryAsync($"return of order {i}", async () =>
            {
                using var back = await shop.FollowReturnAsync(answer.RedirectUrl);
                return back.StatusCode == HttpStatusCode.OK ? (object)true : null;
            });
            return (placed, sku);
        }).ToList();

        // Mid-run: once a third of the orders exist, the second instance of each replicated service dies.
        while (Volatile.Read(ref placedCount) < Orders / 3 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        foreach (var name in ReplicatedSystem.Replicated)
        {
            system.System.Kill($"{name}-2");
        }

        var killedAt = clock.Elapsed;
        var placedOrders = await Task.WhenAll(buying);

        var finals = new List<OrderView>();
        foreach (var (order, _) in placedOrders)
        {
            finals.Add(await shop.WaitForOrderAsync(order.OrderId, o => Shop.FinalStates.Contains(o.Status), "a final state", TimeSpan.FromSeconds(60)));
        }

        var paid = finals.Where(o => o.Status == "Paid").ToList();
        foreach (var order in finals)
        {
            var payment = await shop.PaymentAsync(order.OrderId);
            var captures = payment?.Count("captured") ?? 0;
            if (order.Status == "Paid")
            {
                (captures, payment!.CapturedAmount).ShouldBe((1, order.Total), payment.Describe());
            }
            else
            {
                captures.ShouldBeLessThanOrEqualTo(1, payment?.Describe());
            }
        }

        foreach (var sku in product.SkuIds)
        {
            var stock = await shop.WaitForStockAsync(sku, s => s.Reserved == 0, "every reservation to be committed or released");
            stock.Available.ShouldBe(stock.OnHand - stock.Reserved);
            var ledger = await shop.StockLedgerAsync(sku);
            (ledger.Sum(row => row.DeltaOnHand), ledger.Sum(row => row.DeltaReserved)).ShouldBe((stock.OnHand, stock.Reserved));
            var sold = placedOrders.Where(p => p.sku == sku).Count(p => paid.Any(o => o.OrderId == p.placed.OrderId));
            (StockPerSku - stock.OnHand).ShouldBe(sold, $"units gone from SKU {sku} should equal its paid orders");
        }

        paid.Count.ShouldBe(Orders, "every order had stock and was paid: " +
            string.Join("; ", finals.Where(o => o.Status != "Paid").Take(5).Select(o => o.Describe())));
        output.WriteLine($"{Orders} orders, {paid.Count} paid, second instances killed at {killedAt.TotalSeconds:0.0} s, " +
            $"all final after {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>Tries for up to 30 s while the attempt answers null (a failed status) or the connection breaks.</summary>
    private static async Task<T> RetryAsync<T>(string what, Func<Task<T?>> attempt)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if (await attempt() is { } result)
                {
                    return result;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(250);
        }

        throw new ShouldAssertException($"Could not {what} within 30 s{(last is null ? "" : $": {last.Message}")}.");
    }
}
