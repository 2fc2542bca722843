using Stampede.Contracts;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Reservations;
using Stampede.Inventory.Tests.Support;
using Stampede.Messaging;

namespace Stampede.Inventory.Tests.Reservations;

public sealed class ReservationExpiryApp : InventoryApp
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Inventory:ReservationGrace"] = "00:01:00";
        settings["Inventory:ExpirySweepInterval"] = "00:00:00.100";
    }
}

/// <summary>The safety net: held reservations past their expiry are released, once, however many
/// instances sweep at the same time.</summary>
public sealed class ReservationExpiryTests(ReservationExpiryApp app) : IClassFixture<ReservationExpiryApp>
{
    [Fact]
    public async Task The_running_service_releases_a_held_reservation_once_it_expires()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 10);
        var order = Orders.Placed(app.Time.GetUtcNow().AddMinutes(10), (sku, 4));
        await app.Bus.PublishAsync(order);
        var reserved = (await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId)).Single();
        reserved.ExpiresAt.ShouldBe(order.PaymentDeadline.AddMinutes(1), TimeSpan.FromMilliseconds(1));

        // Before its expiry the job leaves it alone...
        app.Time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(400);
        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("held");

        // ...after it, the job releases it and tells catalog.
        app.Time.Advance(TimeSpan.FromMinutes(2));
        await app.Bus.WaitForAsync<StockAvailabilityChanged>(e => e.SkuId == sku && e.Version == 3 && e.Available == 10);
        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("released");
        var ledger = await app.Database.LedgerAsync(sku);
        ledger.Last().ShouldBe(ledger.Last() with { Reason = "expire", DeltaOnHand = 0, DeltaReserved = -4, OrderId = order.OrderId });

        // A late OrderExpired from ordering then changes nothing.
        var expired = new OrderExpired(order.OrderId);
        await app.Bus.PublishAsync(expired);
        await app.Database.HandledAsync(expired.EventId);
        (await app.Database.LedgerAsync(sku)).Count.ShouldBe(ledger.Count);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Two_expiry_jobs_sweeping_at_once_release_each_expired_reservation_exactly_once()
    {
        const int count = 60;
        var skus = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        foreach (var sku in skus) await app.SeedAsync(sku, 100);
        var deadline = app.Time.GetUtcNow().AddMinutes(30);
        var orders = Enumerable.Range(0, count).Select(i => i % 3 == 0
            ? Orders.Placed(deadline, (skus[0], 1), (skus[1], 1))
            : Orders.Placed(deadline, (skus[i % 2], 1))).ToList();
        await ReserveAsync(orders);

        // Two more instances' jobs beside the running service's own, all at once.
        await using var firstDatabase = NpgsqlDataSource.Create(app.ConnectionString);
        await using var secondDatabase = NpgsqlDataSource.Create(app.ConnectionString);
        var first = NewJob(firstDatabase);
        var second = NewJob(secondDatabase);
        app.Time.Advance(TimeSpan.FromHours(1));
        var released = await Task.WhenAll(first.SweepAsync(CancellationToken.None), second.SweepAsync(CancellationToken.None));

        released.Sum().ShouldBeLessThanOrEqualTo(count);
        await StockFacts.EventuallyAsync(async () =>
        {
            await using var connection = await app.Database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM reservations WHERE status = 'held'") == 0;
        }, "every reservation released");

        await using var connection = await app.Database.OpenConnectionAsync();
        var expiries = (await connection.QueryAsync<(Guid OrderId, long Rows)>(
            "SELECT order_id, count(*) FROM stock_ledger WHERE reason = 'expire' AND order_id = ANY(@orderIds) GROUP BY order_id",
            new { orderIds = orders.Select(order => order.OrderId).ToArray() })).ToDictionary(row => row.OrderId, row => row.Rows);
        expiries.Count.ShouldBe(count);
        foreach (var order in orders)
            expiries[order.OrderId].ShouldBe(order.Lines.Count, "one expire row per line, so released once");
        foreach (var sku in skus)
            (await app.Database.LevelAsync(sku))!.Reserved.ShouldBe(0);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task A_payment_arriving_after_the_reservation_expired_is_filled_from_what_is_still_available()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 10);
        var order = await ReserveThenExpireAsync(sku, 4);

        var paid = Orders.Paid(order);
        await app.Bus.PublishAsync(paid);
        await app.Database.HandledAsync(paid.EventId);

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("committed");
        var level = await app.Database.LevelAsync(sku);
        (level!.OnHand, level.Reserved).ShouldBe((6L, 0L));
        (await app.Database.LedgerAsync(sku)).Select(row => row.Reason).ShouldBe(["set", "reserve", "expire", "commit"]);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task A_payment_arriving_after_the_reservation_expired_never_oversells()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 5);
        var late = await ReserveThenExpireAsync(sku, 4);
        var rival = Orders.Placed(app.Time.GetUtcNow().AddMinutes(10), (sku, 3));
        await app.Bus.PublishAsync(rival);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == rival.OrderId);

        var paid = Orders.Paid(late);
        await app.Bus.PublishAsync(paid);
        await app.Database.HandledAsync(paid.EventId);

        (await app.Database.ReservationStatusAsync(late.OrderId)).ShouldBe("released");
        var level = await app.Database.LevelAsync(sku);
        (level!.OnHand, level.Reserved).ShouldBe((5L, 3L));
        await app.Database.ShouldBeConservedAsync();
        // Not a log line: ordering is told, so it refunds the buyer.
        (await app.Bus.WaitForAsync<StockCommitFailed>(e => e.OrderId == late.OrderId)).Single().Reason.ShouldContain("sold out");

        // The same payment delivered again is settled: no second answer, no stock moved.
        var again = Orders.Paid(late);
        await app.Bus.PublishAsync(again);
        await app.Database.HandledAsync(again.EventId);
        await Task.Delay(300);
        app.Bus.Received<StockCommitFailed>().Count(e => e.OrderId == late.OrderId).ShouldBe(1);
        (await app.Database.LevelAsync(sku))!.OnHand.ShouldBe(5);
    }

    public static TheoryData<bool> CancelFirst => [true, false];

    [Theory]
    [MemberData(nameof(CancelFirst))]
    public async Task A_paid_cancellation_and_a_late_payment_after_expiry_leave_the_same_stock_in_either_order(bool cancelFirst)
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 10);
        var order = await ReserveThenExpireAsync(sku, 4);
        var paid = Orders.Paid(order);
        var cancelled = new OrderCancelled(order.OrderId, WasPaid: true, paid.PaymentId, paid.Total, "buyer");

        foreach (var @event in cancelFirst ? new IntegrationEvent[] { cancelled, paid } : [paid, cancelled])
        {
            await app.Bus.PublishAsync(@event);
            await app.Database.HandledAsync(@event.EventId);
        }

        // Nothing sold in the end, whichever came first: every unit is on the shelf and available.
        var level = await app.Database.LevelAsync(sku);
        (level!.OnHand, level.Reserved).ShouldBe((10L, 0L));
        await app.Database.ShouldBeConservedAsync();
    }

    private async Task<OrderPlaced> ReserveThenExpireAsync(Guid sku, int quantity)
    {
        var order = Orders.Placed(app.Time.GetUtcNow().AddMinutes(1), (sku, quantity));
        await app.Bus.PublishAsync(order);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        app.Time.Advance(TimeSpan.FromMinutes(3));
        await StockFacts.EventuallyAsync(async () => await app.Database.ReservationStatusAsync(order.OrderId) == "released", "the reservation expired");
        return order;
    }

    private ExpireReservations NewJob(NpgsqlDataSource database) => new(
        database,
        app.Services.GetRequiredService<IOutbox>(),
        app.Time,
        app.Services.GetRequiredService<ILogger<ExpireReservations>>());

    private async Task ReserveAsync(IEnumerable<OrderPlaced> orders)
    {
        var outbox = app.Services.GetRequiredService<IOutbox>();
        var handler = app.Services.CreateScope().ServiceProvider.GetRequiredService<ReserveStock>();
        foreach (var order in orders)
        {
            await using var connection = await app.Database.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var events = await handler.ReserveAsync(order, transaction, CancellationToken.None);
            events.OfType<StockReserved>().ShouldHaveSingleItem();
            foreach (var follow in events) await outbox.EnqueueAsync(follow, transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }
    }
}
