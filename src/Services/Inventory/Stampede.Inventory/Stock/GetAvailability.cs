using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Inventory.Validation;

namespace Stampede.Inventory.Stock;

public sealed record SkuAvailability(Guid SkuId, long Available);

/// <summary>Units available for sale per SKU, for other services (catalog). Internal: anonymous
/// inside the private network; the gateway never routes <c>/internal</c> paths.</summary>
public static class GetAvailability
{
    public const int MaxSkus = 500;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/internal/availability", HandleAsync).AllowAnonymous().WithName("GetAvailability")
            .WithSummary("Available units of SKUs (?skuIds=a,b); unknown SKUs have 0. Internal only.");

    public static async Task<Results<Ok<IReadOnlyList<SkuAvailability>>, ValidationProblem>> HandleAsync(
        string[]? skuIds, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var requested = new List<Guid>();
        string? error = null;
        foreach (var part in (skuIds ?? []).SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (InputRules.SkuId(part, out var skuId) is { } invalid) error ??= $"'{Shorten(part)}': {invalid}";
            else if (!requested.Contains(skuId)) requested.Add(skuId);
        }

        if (error is null && requested.Count == 0) error = "Give one or more SKU ids: ?skuIds=a,b.";
        if (error is null && requested.Count > MaxSkus) error = $"At most {MaxSkus} SKU ids per request.";
        if (error is not null) return new FieldErrors().Add("skuIds", error).ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var available = (await connection.QueryAsync<SkuAvailability>(new CommandDefinition(
                "SELECT sku_id AS SkuId, on_hand - reserved AS Available FROM stock WHERE sku_id = ANY(@requested)",
                new { requested = requested.ToArray() }, cancellationToken: cancellationToken)))
            .ToDictionary(row => row.SkuId, row => row.Available);
        return TypedResults.Ok<IReadOnlyList<SkuAvailability>>([.. requested.Select(sku => new SkuAvailability(sku, available.GetValueOrDefault(sku)))]);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
