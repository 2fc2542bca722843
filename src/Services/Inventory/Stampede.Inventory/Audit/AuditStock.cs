using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Inventory.Audit;

/// <summary>A SKU whose numbers disagree: its row against the sums of its ledger, and its reserved
/// units against the quantities its held reservations hold.</summary>
public sealed record StockDrift(Guid SkuId, long OnHand, long Reserved, long LedgerOnHand, long LedgerReserved, long HeldReserved);

public sealed record InventoryAudit(long Skus, long HeldReservations, IReadOnlyList<StockDrift> Drift);

public sealed record ReservationsQuery(IReadOnlyList<Guid>? OrderIds);

public sealed record ReservationState(Guid OrderId, string Status, string? Outcome);

/// <summary>What `./stampede audit` asks inventory: <c>GET /admin/audit</c> checks stock against its
/// ledger and its held reservations (a released or expired reservation still counted shows as
/// drift); <c>POST /admin/audit/reservations</c> tells the state of given orders' reservations, so
/// the audit can see that every paid order's stock was committed.</summary>
public static class AuditStock
{
    public const int MaxOrderIds = 5_000;

    private const string DriftSql = """
        WITH ledger AS (
            SELECT sku_id, sum(delta_on_hand)::bigint AS on_hand, sum(delta_reserved)::bigint AS reserved FROM stock_ledger GROUP BY sku_id),
        held AS (
            SELECT (line->>'skuId')::uuid AS sku_id, sum((line->>'quantity')::bigint)::bigint AS reserved
            FROM reservations, jsonb_array_elements(lines) AS line
            WHERE status = 'held' GROUP BY 1)
        SELECT coalesce(s.sku_id, h.sku_id) AS SkuId, coalesce(s.on_hand, 0) AS OnHand, coalesce(s.reserved, 0) AS Reserved,
               coalesce(l.on_hand, 0) AS LedgerOnHand, coalesce(l.reserved, 0) AS LedgerReserved, coalesce(h.reserved, 0) AS HeldReserved
        FROM stock s
        LEFT JOIN ledger l ON l.sku_id = s.sku_id
        FULL JOIN held h ON h.sku_id = s.sku_id
        WHERE coalesce(s.on_hand, 0) <> coalesce(l.on_hand, 0)
           OR coalesce(s.reserved, 0) <> coalesce(l.reserved, 0)
           OR coalesce(s.reserved, 0) <> coalesce(h.reserved, 0)
        ORDER BY 1
        LIMIT 1000
        """;

    public static void Map(IEndpointRouteBuilder admin)
    {
        admin.MapGet("/admin/audit", CheckStockAsync).WithName("AuditStock")
            .WithSummary("Stock rows against their ledger and held reservations; lists every SKU that drifted.");
        admin.MapPost("/admin/audit/reservations", ReservationsOfAsync).WithName("AuditReservations")
            .WithSummary("The reservation state of each given order (orders without one are left out).");
    }

    public static async Task<Ok<InventoryAudit>> CheckStockAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot, so a reservation committed between two statements cannot look like drift.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var counts = await connection.QuerySingleAsync<(long Skus, long Held)>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM stock) AS Skus, (SELECT count(*) FROM reservations WHERE status = 'held') AS Held",
            transaction: transaction, cancellationToken: cancellationToken));
        var drift = await connection.QueryAsync<StockDrift>(new CommandDefinition(DriftSql, transaction: transaction, cancellationToken: cancellationToken));
        return TypedResults.Ok(new InventoryAudit(counts.Skus, counts.Held, [.. drift]));
    }

    public static async Task<Results<Ok<IReadOnlyList<ReservationState>>, ValidationProblem>> ReservationsOfAsync(
        ReservationsQuery? query, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var orderIds = query?.OrderIds;
        if (orderIds is null || orderIds.Count > MaxOrderIds)
            return FieldErrors.Single("orderIds", $"Give a list of at most {MaxOrderIds} order ids.");

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var states = await connection.QueryAsync<ReservationState>(new CommandDefinition(
            "SELECT order_id AS OrderId, status AS Status, outcome AS Outcome FROM reservations WHERE order_id = ANY(@ids) ORDER BY order_id",
            new { ids = orderIds.ToArray() }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<ReservationState>>([.. states]);
    }
}
