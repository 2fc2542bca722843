using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stampede.Contracts;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Reservations;
using Stampede.Inventory.Tests.Support;
using Stampede.Messaging;

namespace Stampede.Inventory.Tests.Reservations;

public sealed class ConcurrentReservationApp : InventoryApp
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        // Many deliveries in flight at once, so the handlers really contend for the row.
        settings["Messaging:ConsumerConcurrency"] = "32";
        settings["Messaging:Prefetch"] = "200";
    }
}

/// <summary>Promise 1 under a stampede: no oversell, all lines or none, no deadlock, stock conserved.</summary>
public sealed class ConcurrentReservationTests(ConcurrentReservationApp app, ITestOutputHelper output) : IClassFixture<ConcurrentReservationApp>
{
    private const int Orders = 200;
    private const int Units = 50;

    [Fact]
    public async Task Two_hundred_concurrent_orders_through_the_broker_for_fifty_units_reserve_exactly_fifty()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, Units);
        var orders = Enumerable.Range(0, Orders).Select(_ => Support.Orders.Placed((sku, 1))).ToList();
        var ids = orders.Select(order => order.OrderId).ToHashSet();

        using var failures = new HandlerFailures();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(orders.Select(order => app.Bus.PublishAsync(order)));
        var (reserved, rejected) = await AnswersAsync(ids);
        clock.Stop();
        output.WriteLine($"200 concurrent OrderPlaced through RabbitMQ -> 200 answers in {clock.ElapsedMilliseconds} ms");

        reserved.Count.ShouldBe(Units);
        rejected.Count.ShouldBe(Orders - Units);
        failures.Count.ShouldBe(0);
        rejected.ShouldAllBe(answer => answer.ShortSkuIds.Count == 1 && answer.ShortSkuIds[0] == sku);
        var level = await app.Database.LevelAsync(sku);
        level!.OnHand.ShouldBe(Units);
        level.Reserved.ShouldBe(Units);
        await app.Database.ShouldBeConservedAsync();

        var availability = await app.Bus.WaitForAsync<StockAvailabilityChanged>(e => e.SkuId == sku && e.Available == 0);
        var changes = app.Bus.Received<StockAvailabilityChanged>().Where(e => e.SkuId == sku).ToList();
        changes.ShouldAllBe(change => change.Available >= 0);
        changes.Select(change => change.Version).Distinct().Count().ShouldBe(Units + 1, "one per reservation, one for the seeding");
        availability.Single().Version.ShouldBe(changes.Max(change => change.Version));
    }

    [Fact]
    public async Task Two_hundred_concurrent_handler_transactions_for_fifty_units_reserve_exactly_fifty()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, Units);
        var orders = Enumerable.Range(0, Orders).Select(_ => Support.Orders.Placed((sku, 1))).ToList();

        var clock = Stopwatch.StartNew();
        var answers = await ReserveConcurrentlyAsync(orders);
        clock.Stop();
        output.WriteLine($"200 concurrent reservation transactions in {clock.ElapsedMilliseconds} ms");

        answers.OfType<StockReserved>().Count().ShouldBe(Units);
        answers.OfType<StockRejected>().Count().ShouldBe(Orders - Units);
        var level = await app.Database.LevelAsync(sku);
        level!.OnHand.ShouldBe(Units);
        level.Reserved.ShouldBe(Units);
        level.Version.ShouldBe(Units + 1);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Overlapping_multi_line_orders_in_concurrent_transactions_reserve_all_lines_or_none_without_deadlock()
    {
        var skus = await SeedThreeSkusAsync();
        var orders = OverlappingOrders(skus, seed: 7);

        var clock = Stopwatch.StartNew();
        var answers = await ReserveConcurrentlyAsync(orders);
        clock.Stop();
        output.WriteLine($"200 concurrent multi-line reservation transactions in {clock.ElapsedMilliseconds} ms");

        await ShouldBeAllOrNoneAsync(orders, answers.OfType<StockReserved>().ToList(), answers.OfType<StockRejected>().ToList(), skus);
    }

    [Fact]
    public async Task Overlapping_multi_line_orders_through_the_broker_reserve_all_lines_or_none_without_deadlock()
    {
        var skus = await SeedThreeSkusAsync();
        var orders = OverlappingOrders(skus, seed: 11);

        using var failures = new HandlerFailures();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(orders.Select(order => app.Bus.PublishAsync(order)));
        var (reserved, rejected) = await AnswersAsync(orders.Select(order => order.OrderId).ToHashSet());
        clock.Stop();
        output.WriteLine($"200 concurrent multi-line OrderPlaced through RabbitMQ in {clock.ElapsedMilliseconds} ms");

        await ShouldBeAllOrNoneAsync(orders, reserved, rejected, skus);
        failures.Count.ShouldBe(0, "a deadlock would have failed a handler and sent its message to a retry");
    }

    private async Task<Guid[]> SeedThreeSkusAsync()
    {
        var skus = new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
        foreach (var sku in skus) await app.SeedAsync(sku, 40);
        return skus;
    }

    // Each order takes two or three of the SKUs, listed in a random order, so lock order in the
    // request differs between orders: only locking in SKU id order keeps them from deadlocking.
    private static List<OrderPlaced> OverlappingOrders(Guid[] skus, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Orders).Select(_ =>
        {
            var lines = skus.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).Select(sku => (sku, random.Next(1, 3))).ToArray();
            return Support.Orders.Placed(lines);
        })];
    }

    private async Task ShouldBeAllOrNoneAsync(List<OrderPlaced> orders, List<StockReserved> reserved, List<StockRejected> rejected, Guid[] skus)
    {
        (reserved.Count + rejected.Count).ShouldBe(Orders);
        reserved.Count.ShouldBeGreaterThan(0);
        rejected.Count.ShouldBeGreaterThan(0);
        var byId = orders.ToDictionary(order => order.OrderId);
        var levels = new Dictionary<Guid, Inventory.Stock.StockLevel>();
        foreach (var sku in skus) levels[sku] = (await app.Database.LevelAsync(sku))!;

        // Reserved units per SKU are exactly the lines of the reserved orders: whole orders only.
        foreach (var sku in skus)
        {
            var expected = reserved.SelectMany(answer => byId[answer.OrderId].Lines).Where(line => line.SkuId == sku).Sum(line => (long)line.Quantity);
            levels[sku].Reserved.ShouldBe(expected, $"SKU {sku}");
            levels[sku].OnHand.ShouldBe(40);
        }

        // Availability only fell during the run, so a SKU short at rejection is still short now.
        foreach (var answer in rejected)
        {
            answer.ShortSkuIds.ShouldNotBeEmpty();
            foreach (var shortSku in answer.ShortSkuIds)
                levels[shortSku].Available.ShouldBeLessThan(byId[answer.OrderId].Lines.Single(line => line.SkuId == shortSku).Quantity);
        }

        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM reservations WHERE status = 'held'")).ShouldBeGreaterThanOrEqualTo(reserved.Count);
        await app.Database.ShouldBeConservedAsync();
    }

    /// <summary>Runs the OrderPlaced handler for every order at once, each in its own transaction
    /// with the events it publishes, as the consumer does.</summary>
    private async Task<List<IntegrationEvent>> ReserveConcurrentlyAsync(List<OrderPlaced> orders)
    {
        var outbox = app.Services.GetRequiredService<IOutbox>();
        await using var database = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(app.ConnectionString) { MaxPoolSize = 64 }.ConnectionString);
        using var start = new ManualResetEventSlim();
        var work = orders.Select(order => Task.Run(async () =>
        {
            start.Wait();
            await using var scope = app.Services.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<ReserveStock>();
            await using var connection = await database.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var events = await handler.ReserveAsync(order, transaction, CancellationToken.None);
            foreach (var follow in events) await outbox.EnqueueAsync(follow, transaction, CancellationToken.None);
            await transaction.CommitAsync();
            return events;
        })).ToList();
        start.Set();
        return [.. (await Task.WhenAll(work)).SelectMany(events => events).Where(e => e is StockReserved or StockRejected)];
    }

    private async Task<(List<StockReserved> Reserved, List<StockRejected> Rejected)> AnswersAsync(HashSet<Guid> orderIds)
    {
        await StockFacts.EventuallyAsync(() => Task.FromResult(
            app.Bus.Received<StockReserved>().Count(e => orderIds.Contains(e.OrderId))
            + app.Bus.Received<StockRejected>().Count(e => orderIds.Contains(e.OrderId)) >= orderIds.Count), "an answer to every order",
            TimeSpan.FromSeconds(60));
        var reserved = app.Bus.Received<StockReserved>().Where(e => orderIds.Contains(e.OrderId)).ToList();
        var rejected = app.Bus.Received<StockRejected>().Where(e => orderIds.Contains(e.OrderId)).ToList();
        reserved.Select(e => e.OrderId).Concat(rejected.Select(e => e.OrderId)).Distinct().Count().ShouldBe(orderIds.Count, "one answer per order");
        return (reserved, rejected);
    }
}
