using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Inventory.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Inventory.Stock;

public sealed record SeedStockItem(Guid? SkuId, long? OnHand);

/// <summary>Body of <c>POST /admin/stock/bulk</c>: on-hand units for many SKUs, and why.</summary>
public sealed record SeedStockRequest(IReadOnlyList<SeedStockItem?>? Items, string? Reason);

public sealed record SeedStockResponse(IReadOnlyList<StockView> Items);

/// <summary>An admin sets on-hand units of many SKUs at once (seeding, a full count): all or none.</summary>
public static class SeedStock
{
    public const int MaxItems = 1000;

    public static void Map(IEndpointRouteBuilder admin) =>
        admin.MapPost("/admin/stock/bulk", HandleAsync).WithName("SeedStock")
            .WithSummary("Set on-hand units of many SKUs in one transaction (seeding).");

    public static async Task<Results<Ok<SeedStockResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        SeedStockRequest? request, ClaimsPrincipal user, ChangeOnHand stock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Add("reason", InputRules.Reason(request?.Reason, out var reason));
        var items = request?.Items ?? [];
        if (items.Count is 0 or > MaxItems) errors.Add("items", $"Give 1 to {MaxItems} items.");
        var seen = new HashSet<Guid>();
        for (var i = 0; i < Math.Min(items.Count, MaxItems); i++)
        {
            var item = items[i];
            errors.Add($"items[{i}].skuId", InputRules.SkuId(item?.SkuId))
                .Add($"items[{i}].onHand", InputRules.OnHand(item?.OnHand));
            if (item?.SkuId is { } skuId && skuId != Guid.Empty && !seen.Add(skuId))
                errors.Add($"items[{i}].skuId", "This SKU is already listed.");
        }

        if (!errors.IsEmpty) return errors.ToProblem();

        var targets = items.ToDictionary(item => item!.SkuId!.Value, item => item!.OnHand!.Value);
        var result = await stock.ApplyAsync(targets.Keys, level => targets[level.SkuId], LedgerReason.Set, reason, user.UserId(), cancellationToken);
        return result.Refusal is null
            ? TypedResults.Ok(new SeedStockResponse([.. result.Levels.Select(level => level.ToView())]))
            : result.RefusalProblem();
    }
}
