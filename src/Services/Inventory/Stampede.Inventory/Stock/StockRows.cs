using Dapper;
using Npgsql;

namespace Stampede.Inventory.Stock;

/// <summary>Reads and writes the stock table and its ledger inside a caller's transaction.</summary>
public static class StockRows
{
    private const string LockSql = """
        SELECT sku_id AS SkuId, on_hand AS OnHand, reserved AS Reserved, version AS Version
        FROM stock WHERE sku_id = ANY(@skuIds) ORDER BY sku_id FOR UPDATE
        """;

    private const string EnsureSql = """
        INSERT INTO stock (sku_id, on_hand, reserved, version, updated_at)
        SELECT sku_id, 0, 0, 0, @at FROM unnest(@skuIds::uuid[]) AS s(sku_id) ORDER BY sku_id
        ON CONFLICT (sku_id) DO NOTHING
        """;

    // The conditions repeat the table's checks so a change that would break them touches no row
    // (and writes no ledger row) instead of raising an error mid-statement.
    private const string ApplySql = """
        WITH changes AS (
            SELECT * FROM unnest(@skuIds::uuid[], @deltaOnHand::bigint[], @deltaReserved::bigint[]) AS c(sku_id, d_on_hand, d_reserved)
        ), updated AS (
            UPDATE stock s
            SET on_hand = s.on_hand + c.d_on_hand, reserved = s.reserved + c.d_reserved, version = s.version + 1, updated_at = @at
            FROM changes c
            WHERE s.sku_id = c.sku_id
              AND s.reserved + c.d_reserved >= 0
              AND s.on_hand + c.d_on_hand >= s.reserved + c.d_reserved
            RETURNING s.sku_id, s.on_hand, s.reserved, s.version, c.d_on_hand, c.d_reserved
        ), ledger AS (
            INSERT INTO stock_ledger (sku_id, delta_on_hand, delta_reserved, reason, note, order_id, actor, created_at)
            SELECT sku_id, d_on_hand, d_reserved, @reason, @note::text, @orderId::uuid, @actor::uuid, @at FROM updated
        )
        SELECT sku_id AS SkuId, on_hand AS OnHand, reserved AS Reserved, version AS Version FROM updated ORDER BY sku_id
        """;

    /// <summary>Locks the stock rows of <paramref name="skuIds"/> in SKU id order and returns them
    /// (SKUs without a row are absent). Every writer that touches several rows locks them through
    /// here first (PostgreSQL locks the rows of an ORDER BY ... FOR UPDATE in sort order), so two
    /// writers never wait for each other in a cycle. That holds per transaction: a transaction must
    /// lock all its rows in one call, which is why inventory turns the messaging block's handler
    /// batching off (see <see cref="InventoryModule"/>).</summary>
    public static async Task<Dictionary<Guid, StockLevel>> LockAsync(NpgsqlTransaction transaction, IEnumerable<Guid> skuIds,
        CancellationToken cancellationToken)
    {
        var rows = await transaction.Connection!.QueryAsync<StockLevel>(new CommandDefinition(
            LockSql, new { skuIds = skuIds.Distinct().ToArray() }, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(row => row.SkuId);
    }

    /// <summary>Creates empty rows (no units, version 0) for SKUs that have none yet.</summary>
    public static async Task EnsureExistAsync(NpgsqlTransaction transaction, IEnumerable<Guid> skuIds, DateTimeOffset at,
        CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            EnsureSql, new { skuIds = skuIds.Distinct().Order().ToArray(), at }, transaction, cancellationToken: cancellationToken));

    /// <summary>Applies <paramref name="changes"/> (one per SKU, rows already locked) and writes one
    /// ledger row per change. All or nothing: throws when a change would leave reserved below zero or
    /// above on hand, which the caller's checks under the same locks rule out.</summary>
    public static async Task<IReadOnlyList<StockLevel>> ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StockChange> changes,
        LedgerEntry entry, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return [];
        if (changes.DistinctBy(change => change.SkuId).Count() != changes.Count)
            throw new ArgumentException("Changes must name each SKU once.", nameof(changes));

        var levels = (await transaction.Connection!.QueryAsync<StockLevel>(new CommandDefinition(ApplySql, new
        {
            skuIds = changes.Select(c => c.SkuId).ToArray(),
            deltaOnHand = changes.Select(c => c.DeltaOnHand).ToArray(),
            deltaReserved = changes.Select(c => c.DeltaReserved).ToArray(),
            reason = entry.Reason,
            note = entry.Note,
            orderId = entry.OrderId,
            actor = entry.Actor,
            at = entry.At,
        }, transaction, cancellationToken: cancellationToken))).AsList();

        if (levels.Count != changes.Count)
            throw new InvalidOperationException(
                $"A {entry.Reason} change would break 0 <= reserved <= on hand for {changes.Count - levels.Count} SKU(s); nothing was changed.");
        return levels;
    }
}
