using Dapper;
using Stampede.Contracts;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Inventory.Tests.Support;

namespace Stampede.Inventory.Tests.Reservations;

public sealed class ReservationLifecycleApp : InventoryApp
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        // One delivery at a time per queue, in publish order: a message published after a duplicate
        // is handled after it, so "the duplicate changed nothing" can be checked without sleeping.
        settings["Messaging:ConsumerConcurrency"] = "1";
        settings["Messaging:Prefetch"] = "1";
    }
}

/// <summary>Reserve, then commit, release or restock, driven by real events through RabbitMQ; each
/// event once in effect however often it arrives.</summary>
public sealed class ReservationLifecycleTests(ReservationLifecycleApp app) : IClassFixture<ReservationLifecycleApp>
{
    [Fact]
    public async Task Paying_commits_the_reservation_and_takes_the_units_off_the_shelf()
    {
        var sku = await SeededSkuAsync(10);
        var order = await PlaceAsync((sku, 3));
        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 10, 3, 2));

        await PublishAndWaitAsync(Orders.Paid(order));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("committed");
        var level = await app.Database.LevelAsync(sku);
        level!.OnHand.ShouldBe(7);
        level.Reserved.ShouldBe(0);
        (await app.Database.LedgerAsync(sku)).Select(row => (row.Reason, row.DeltaOnHand, row.DeltaReserved))
            .ShouldBe([("set", 10L, 0L), ("reserve", 0L, 3L), ("commit", -3L, -3L)]);
        var availability = await app.Bus.WaitForAsync<StockAvailabilityChanged>(e => e.SkuId == sku && e.Version == 3);
        availability.Single().Available.ShouldBe(7);
        await app.Database.ShouldBeConservedAsync();
    }

    public static TheoryData<string> Releases => ["expired", "failed", "cancelled unpaid"];

    [Theory]
    [MemberData(nameof(Releases))]
    public async Task An_unpaid_order_that_ends_releases_its_units(string ending)
    {
        var sku = await SeededSkuAsync(10);
        var other = await SeededSkuAsync(5);
        var order = await PlaceAsync((sku, 4), (other, 5));

        await PublishAndWaitAsync(Ending(order, ending));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("released");
        (await app.Database.LevelAsync(sku))!.Available.ShouldBe(10);
        (await app.Database.LevelAsync(other))!.Available.ShouldBe(5);
        var ledger = await app.Database.LedgerAsync(sku);
        ledger.Last().ShouldBe(ledger.Last() with { Reason = "release", DeltaOnHand = 0, DeltaReserved = -4, OrderId = order.OrderId });
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Cancelling_a_paid_order_puts_its_units_back_on_the_shelf()
    {
        var sku = await SeededSkuAsync(10);
        var order = await PlaceAsync((sku, 2));
        await PublishAndWaitAsync(Orders.Paid(order));

        await PublishAndWaitAsync(Orders.Cancelled(order, wasPaid: true));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("restocked");
        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 10, 0, 4));
        (await app.Database.LedgerAsync(sku)).Select(row => row.Reason).ShouldBe(["set", "reserve", "commit", "restock"]);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task A_paid_cancellation_overtaking_the_payment_still_sells_and_restocks_once()
    {
        var sku = await SeededSkuAsync(10);
        var order = await PlaceAsync((sku, 2));

        await PublishAndWaitAsync(Orders.Cancelled(order, wasPaid: true));
        await PublishAndWaitAsync(Orders.Paid(order));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("restocked");
        (await app.Database.LevelAsync(sku))!.Available.ShouldBe(10);
        (await app.Database.LedgerAsync(sku)).Select(row => row.Reason).ShouldBe(["set", "reserve", "commit", "restock"]);
        await app.Database.ShouldBeConservedAsync();
    }

    public static TheoryData<string> Events => ["placed", "paid", "expired", "failed", "cancelled unpaid", "cancelled paid"];

    [Theory]
    [MemberData(nameof(Events))]
    public async Task An_event_delivered_twice_or_sent_again_has_one_effect(string which)
    {
        var sku = await SeededSkuAsync(10);
        var order = Orders.Placed((sku, 3));
        if (which != "placed")
        {
            await PublishAndWaitAsync(order);
            if (which == "cancelled paid") await PublishAndWaitAsync(Orders.Paid(order));
        }

        IntegrationEvent @event = which == "placed" ? order : which == "paid" ? Orders.Paid(order) : Ending(order, which);
        await PublishAndWaitAsync(@event);
        if (which == "placed") await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        var level = await app.Database.LevelAsync(sku);
        var ledger = await app.Database.LedgerAsync(sku);
        var status = await app.Database.ReservationStatusAsync(order.OrderId);

        // The same message again (a redelivery), then the same fact under a new id (a resend).
        await app.Bus.PublishAsync(@event);
        await PublishAndWaitAsync(@event with { EventId = Guid.CreateVersion7() });

        (await app.Database.LevelAsync(sku)).ShouldBe(level);
        (await app.Database.LedgerAsync(sku)).Count.ShouldBe(ledger.Count);
        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe(status);
        if (which == "placed")
        {
            app.Bus.Received<StockReserved>().Count(e => e.OrderId == order.OrderId).ShouldBe(1);
        }

        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Endings_after_payment_change_nothing()
    {
        var sku = await SeededSkuAsync(10);
        var order = await PlaceAsync((sku, 3));
        await PublishAndWaitAsync(Orders.Paid(order));

        await PublishAndWaitAsync(new OrderExpired(order.OrderId));
        await PublishAndWaitAsync(new OrderFailed(order.OrderId, "declined"));
        await PublishAndWaitAsync(Orders.Cancelled(order, wasPaid: false));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("committed");
        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 7, 0, 3));
    }

    [Fact]
    public async Task Payment_after_release_changes_nothing()
    {
        var sku = await SeededSkuAsync(10);
        var order = await PlaceAsync((sku, 3));
        await PublishAndWaitAsync(new OrderFailed(order.OrderId, "declined"));

        await PublishAndWaitAsync(Orders.Paid(order));

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("released");
        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 10, 0, 3));
    }

    [Fact]
    public async Task An_order_that_ended_before_it_was_placed_here_reserves_nothing()
    {
        var sku = await SeededSkuAsync(10);
        var order = Orders.Placed((sku, 3));

        await PublishAndWaitAsync(new OrderExpired(order.OrderId));
        await PublishAndWaitAsync(order);

        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("released");
        (await app.Database.LevelAsync(sku))!.Reserved.ShouldBe(0);
        app.Bus.Received<StockReserved>().ShouldNotContain(e => e.OrderId == order.OrderId);
    }

    [Fact]
    public async Task An_order_short_on_one_line_reserves_none_of_its_lines()
    {
        var plenty = await SeededSkuAsync(10);
        var scarce = await SeededSkuAsync(1);
        var unknown = Guid.CreateVersion7();
        var order = Orders.Placed((plenty, 2), (scarce, 2), (unknown, 1));

        await app.Bus.PublishAsync(order);

        var rejected = (await app.Bus.WaitForAsync<StockRejected>(e => e.OrderId == order.OrderId)).Single();
        rejected.ShortSkuIds.Order().ShouldBe(new[] { scarce, unknown }.Order());
        (await app.Database.LevelAsync(plenty)).ShouldBe(new StockLevel(plenty, 10, 0, 1));
        (await app.Database.LevelAsync(scarce)).ShouldBe(new StockLevel(scarce, 1, 0, 1));
        (await app.Database.ReservationStatusAsync(order.OrderId)).ShouldBe("rejected");
        app.Bus.Received<StockReserved>().ShouldNotContain(e => e.OrderId == order.OrderId);
    }

    [Fact]
    public async Task An_order_with_an_impossible_line_is_rejected()
    {
        var sku = await SeededSkuAsync(10);
        var order = Orders.Placed((sku, 0));

        await app.Bus.PublishAsync(order);

        (await app.Bus.WaitForAsync<StockRejected>(e => e.OrderId == order.OrderId)).Single().ShortSkuIds.ShouldBeEmpty();
        (await app.Database.LevelAsync(sku))!.Reserved.ShouldBe(0);
    }

    [Fact]
    public async Task Lines_of_one_sku_are_reserved_together_until_the_deadline_plus_grace()
    {
        var sku = await SeededSkuAsync(10);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(15);
        var order = Orders.Placed(deadline, (sku, 2), (sku, 3));

        await app.Bus.PublishAsync(order);

        var reserved = (await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId)).Single();
        reserved.ExpiresAt.ShouldBe(deadline + TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(1));
        (await app.Database.LevelAsync(sku))!.Reserved.ShouldBe(5);
        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<Guid>("SELECT id FROM reservations WHERE order_id = @OrderId", order)).ShouldBe(reserved.ReservationId);
    }

    private static IntegrationEvent Ending(OrderPlaced order, string ending) => ending switch
    {
        "expired" => new OrderExpired(order.OrderId),
        "failed" => new OrderFailed(order.OrderId, "card declined"),
        "cancelled unpaid" => Orders.Cancelled(order, wasPaid: false),
        "cancelled paid" => Orders.Cancelled(order, wasPaid: true),
        _ => throw new ArgumentOutOfRangeException(nameof(ending)),
    };

    private async Task<Guid> SeededSkuAsync(long onHand)
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, onHand);
        return sku;
    }

    private async Task<OrderPlaced> PlaceAsync(params (Guid SkuId, int Quantity)[] lines)
    {
        var order = Orders.Placed(lines);
        await app.Bus.PublishAsync(order);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        return order;
    }

    private async Task PublishAndWaitAsync(IntegrationEvent @event)
    {
        await app.Bus.Publisher.PublishAsync(@event, CancellationToken.None);
        await app.Database.HandledAsync(@event.EventId);
    }
}
