using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Products;
using Stampede.Catalog.Validation;

namespace Stampede.Catalog.Pricing;

/// <summary>Which SKUs another service (ordering) wants the authoritative price and status of.</summary>
public sealed record SkuPricesRequest(IReadOnlyList<Guid>? SkuIds);

/// <summary>The authoritative price of one SKU. <see cref="Sellable"/> is true only when both the
/// product and the SKU are active.</summary>
public sealed record SkuPrice(
    Guid SkuId, Guid ProductId, string ProductName, string OptionsLabel, long Price, string Currency, string Status, string ProductStatus,
    bool Sellable);

public sealed record SkuPrices(IReadOnlyList<SkuPrice> Items);

/// <summary>Internal (service-to-service, anonymous inside the private network; the gateway never
/// routes <c>/internal</c>): prices for a list of SKU ids. Unknown ids are simply absent.</summary>
public static class GetSkuPrices
{
    public const int MaxSkuIds = 200;

    public static async Task<Results<Ok<SkuPrices>, ValidationProblem>> HandleAsync(
        SkuPricesRequest request, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (request.SkuIds is not { Count: > 0 } ids) return FieldErrors.Single("skuIds", "Give at least one SKU id.");
        if (ids.Count > MaxSkuIds) return FieldErrors.Single("skuIds", $"At most {MaxSkuIds} SKU ids per request.");

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PriceRow>(new CommandDefinition("""
            SELECT s.id AS sku_id, s.product_id, p.name AS product_name, s.option_values, s.price,
                   s.status, p.status AS product_status
            FROM skus s JOIN products p ON p.id = s.product_id
            WHERE s.id = ANY(@ids)
            ORDER BY s.product_id, s.position
            """, new { ids = ids.Distinct().ToArray() }, cancellationToken: cancellationToken));
        var items = rows.Select(row => new SkuPrice(
            row.SkuId, row.ProductId, row.ProductName, ProductStore.OptionsLabel(row.OptionValues), row.Price, Currency.Krw,
            row.Status, row.ProductStatus,
            row.Status == SkuStatus.Active && row.ProductStatus == Products.ProductStatus.Active)).ToList();
        return TypedResults.Ok(new SkuPrices(items));
    }

    private sealed class PriceRow
    {
        public Guid SkuId { get; set; }
        public Guid ProductId { get; set; }
        public string ProductName { get; set; } = "";
        public string[] OptionValues { get; set; } = [];
        public long Price { get; set; }
        public string Status { get; set; } = "";
        public string ProductStatus { get; set; } = "";
    }
}
