using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Inventory.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Inventory.Stock;

/// <summary>Body of <c>PUT /admin/stock/{skuId}</c>: the units now on the shelf, and why.</summary>
public sealed record SetStockRequest(long? OnHand, string? Reason);

/// <summary>An admin sets a SKU's on-hand units (e.g. after a count). Refused (409) below reserved.</summary>
public static class SetStock
{
    public static void Map(IEndpointRouteBuilder admin) =>
        admin.MapPut("/admin/stock/{skuId}", HandleAsync).WithName("SetStock").WithSummary("Set a SKU's on-hand units, with a reason.");

    public static async Task<Results<Ok<StockView>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string skuId, SetStockRequest? request, ClaimsPrincipal user, ChangeOnHand stock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Add("skuId", InputRules.SkuId(skuId, out var sku))
            .Add("onHand", InputRules.OnHand(request?.OnHand))
            .Add("reason", InputRules.Reason(request?.Reason, out var reason));
        if (!errors.IsEmpty) return errors.ToProblem();

        var onHand = request!.OnHand!.Value;
        var result = await stock.ApplyAsync([sku], _ => onHand, LedgerReason.Set, reason, user.UserId(), cancellationToken);
        return result.Refusal is null ? TypedResults.Ok(result.Levels[0].ToView()) : result.RefusalProblem();
    }
}
