using System.Net;
using System.Net.Http.Json;
using Dapper;
using Stampede.Contracts.Inventory;
using Stampede.Inventory.Audit;
using Stampede.Inventory.Tests.Support;

namespace Stampede.Inventory.Tests.Audit;

/// <summary>What `./stampede audit` reads from inventory: drift between stock, ledger and held
/// reservations, and the reservation state of paid orders.</summary>
public sealed class AuditStockTests(InventoryApp app) : IClassFixture<InventoryApp>
{
    [Fact]
    public async Task Stock_that_agrees_with_its_ledger_and_reservations_shows_no_drift_and_a_tampered_row_does()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 10);
        var order = Orders.Placed(app.Time.GetUtcNow().AddMinutes(10), (sku, 3));
        await app.Bus.PublishAsync(order);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        using var admin = app.Admin();

        var clean = (await admin.GetFromJsonAsync<InventoryAudit>("/admin/audit"))!;
        clean.Drift.ShouldNotContain(drift => drift.SkuId == sku);
        clean.HeldReservations.ShouldBeGreaterThanOrEqualTo(1);

        // A reservation released without giving its units back: still counted in reserved.
        await using (var connection = await app.Database.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE reservations SET status = 'released' WHERE order_id = @id", new { id = order.OrderId });
        var drifted = (await admin.GetFromJsonAsync<InventoryAudit>("/admin/audit"))!;

        drifted.Drift.Where(drift => drift.SkuId == sku).ShouldBe([new StockDrift(sku, OnHand: 10, Reserved: 3, LedgerOnHand: 10, LedgerReserved: 3, HeldReserved: 0)]);
    }

    [Fact]
    public async Task The_reservations_of_given_orders_are_told_and_bad_input_is_a_problem_naming_the_field()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 5);
        var order = Orders.Placed(app.Time.GetUtcNow().AddMinutes(10), (sku, 1));
        await app.Bus.PublishAsync(order);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        using var admin = app.Admin();

        using var answer = await admin.PostAsJsonAsync("/admin/audit/reservations", new { orderIds = new[] { order.OrderId, Guid.NewGuid() } });
        (await answer.Content.ReadFromJsonAsync<List<ReservationState>>()).ShouldBe([new ReservationState(order.OrderId, "held", null)]);

        using var missing = await admin.PostAsJsonAsync("/admin/audit/reservations", new { });
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("orderIds");

        using var customer = app.As(Guid.NewGuid());
        (await customer.GetAsync("/admin/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
