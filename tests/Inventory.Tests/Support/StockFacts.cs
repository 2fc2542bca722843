using Dapper;
using Npgsql;
using Stampede.Inventory.Stock;

namespace Stampede.Inventory.Tests.Support;

public sealed record StockBalance(Guid SkuId, long OnHand, long Reserved, long LedgerOnHand, long LedgerReserved, long HeldByReservations);

public sealed record LedgerFact(Guid SkuId, long DeltaOnHand, long DeltaReserved, string Reason, string? Note, Guid? OrderId, Guid? Actor);

/// <summary>What the database says, read directly, for assertions.</summary>
public static class StockFacts
{
    public static async Task<StockLevel?> LevelAsync(this NpgsqlDataSource database, Guid skuId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<StockLevel>(
            "SELECT sku_id AS SkuId, on_hand AS OnHand, reserved AS Reserved, version AS Version FROM stock WHERE sku_id = @skuId", new { skuId });
    }

    public static async Task<string?> ReservationStatusAsync(this NpgsqlDataSource database, Guid orderId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<string>("SELECT status FROM reservations WHERE order_id = @orderId", new { orderId });
    }

    public static async Task<IReadOnlyList<LedgerFact>> LedgerAsync(this NpgsqlDataSource database, Guid skuId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return [.. await connection.QueryAsync<LedgerFact>("""
            SELECT sku_id AS SkuId, delta_on_hand AS DeltaOnHand, delta_reserved AS DeltaReserved, reason AS Reason, note AS Note,
                   order_id AS OrderId, actor AS Actor
            FROM stock_ledger WHERE sku_id = @skuId ORDER BY id
            """, new { skuId })];
    }

    /// <summary>Waits until <paramref name="condition"/> holds (handlers run asynchronously).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the service's inbox holds every one of <paramref name="messageIds"/>.</summary>
    public static Task HandledAsync(this NpgsqlDataSource database, params Guid[] messageIds) =>
        EventuallyAsync(async () =>
        {
            await using var connection = await database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<long>(
                "SELECT count(DISTINCT message_id) FROM messaging.inbox WHERE message_id = ANY(@messageIds)", new { messageIds }) == messageIds.Distinct().Count();
        }, $"inventory handled {messageIds.Length} message(s)");

    /// <summary>Promise 1, checked for every SKU: 0 &lt;= reserved &lt;= on hand, the ledger sums to both,
    /// and reserved equals the units of held reservations.</summary>
    public static async Task ShouldBeConservedAsync(this NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var balances = (await connection.QueryAsync<StockBalance>("""
            SELECT s.sku_id AS SkuId, s.on_hand AS OnHand, s.reserved AS Reserved,
                   COALESCE(l.on_hand, 0)::bigint AS LedgerOnHand, COALESCE(l.reserved, 0)::bigint AS LedgerReserved,
                   COALESCE(h.held, 0)::bigint AS HeldByReservations
            FROM stock s
            LEFT JOIN (SELECT sku_id, sum(delta_on_hand) AS on_hand, sum(delta_reserved) AS reserved FROM stock_ledger GROUP BY sku_id) l
                ON l.sku_id = s.sku_id
            LEFT JOIN (SELECT (line ->> 'skuId')::uuid AS sku_id, sum((line ->> 'quantity')::bigint) AS held
                       FROM reservations r, jsonb_array_elements(r.lines) AS line WHERE r.status = 'held' GROUP BY 1) h
                ON h.sku_id = s.sku_id
            """)).AsList();
        foreach (var balance in balances)
        {
            balance.Reserved.ShouldBeInRange(0, balance.OnHand, $"SKU {balance.SkuId}");
            balance.LedgerOnHand.ShouldBe(balance.OnHand, $"ledger on hand of SKU {balance.SkuId}");
            balance.LedgerReserved.ShouldBe(balance.Reserved, $"ledger reserved of SKU {balance.SkuId}");
            balance.HeldByReservations.ShouldBe(balance.Reserved, $"held reservations of SKU {balance.SkuId}");
        }
    }
}
