using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Inventory.Validation;

namespace Stampede.Inventory.Stock;

public sealed record LedgerRow(long Id, Guid SkuId, long DeltaOnHand, long DeltaReserved, string Reason, string? Note, Guid? OrderId,
    Guid? Actor, DateTime CreatedAt);

public sealed record LedgerPage(IReadOnlyList<LedgerRow> Items, int Page, int PageSize, long Total);

/// <summary>An admin reads a SKU's ledger, newest first: every change with its reason, order and actor.</summary>
public static class GetStockLedger
{
    public const int MaxPageSize = 200;

    public static void Map(IEndpointRouteBuilder admin) =>
        admin.MapGet("/admin/stock/{skuId}/ledger", HandleAsync).WithName("GetStockLedger")
            .WithSummary("A SKU's stock ledger, newest first, paged.");

    public static async Task<Results<Ok<LedgerPage>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string skuId, string? page, string? pageSize, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Add("skuId", InputRules.SkuId(skuId, out var sku))
            .Add("page", InputRules.PositiveInt(page, 1, 1_000_000, out var pageNumber))
            .Add("pageSize", InputRules.PositiveInt(pageSize, 50, MaxPageSize, out var size));
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM stock_ledger WHERE sku_id = @sku) FROM stock WHERE sku_id = @sku",
            new { sku }, cancellationToken: cancellationToken));
        if (total is null) return GetStock.NoStock(sku);

        var rows = await connection.QueryAsync<LedgerRow>(new CommandDefinition("""
            SELECT id AS Id, sku_id AS SkuId, delta_on_hand AS DeltaOnHand, delta_reserved AS DeltaReserved, reason AS Reason,
                   note AS Note, order_id AS OrderId, actor AS Actor, created_at AS CreatedAt
            FROM stock_ledger WHERE sku_id = @sku
            ORDER BY id DESC LIMIT @size OFFSET @offset
            """, new { sku, size, offset = (long)(pageNumber - 1) * size }, cancellationToken: cancellationToken));
        return TypedResults.Ok(new LedgerPage([.. rows], pageNumber, size, total.Value));
    }
}
