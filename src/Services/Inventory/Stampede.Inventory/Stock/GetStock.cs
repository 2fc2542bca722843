using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Inventory.Validation;

namespace Stampede.Inventory.Stock;

/// <summary>An admin reads one SKU's stock: on hand, reserved, available.</summary>
public static class GetStock
{
    public static void Map(IEndpointRouteBuilder admin) =>
        admin.MapGet("/stock/{skuId}", HandleAsync).WithName("GetStock").WithSummary("One SKU's on-hand, reserved and available units.");

    public static async Task<Results<Ok<StockView>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string skuId, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Add("skuId", InputRules.SkuId(skuId, out var sku));
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var level = await connection.QuerySingleOrDefaultAsync<StockLevel>(new CommandDefinition(
            "SELECT sku_id AS SkuId, on_hand AS OnHand, reserved AS Reserved, version AS Version FROM stock WHERE sku_id = @sku",
            new { sku }, cancellationToken: cancellationToken));
        return level is null ? NoStock(sku) : TypedResults.Ok(level.ToView());
    }

    public static ProblemHttpResult NoStock(Guid skuId) =>
        TypedResults.Problem($"No stock has been recorded for SKU {skuId}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown SKU");
}
