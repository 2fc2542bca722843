using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Inventory.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Inventory.Stock;

/// <summary>Body of <c>POST /admin/stock/{skuId}/adjustments</c>: units added (positive) or taken
/// away (negative, e.g. damaged), and why.</summary>
public sealed record AdjustStockRequest(long? Delta, string? Reason);

/// <summary>An admin adds or removes on-hand units. Refused (409) when it would leave fewer than reserved.</summary>
public static class AdjustStock
{
    public static void Map(IEndpointRouteBuilder admin) =>
        admin.MapPost("/admin/stock/{skuId}/adjustments", HandleAsync).WithName("AdjustStock")
            .WithSummary("Add or remove on-hand units of a SKU, with a reason.");

    public static async Task<Results<Ok<StockView>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string skuId, AdjustStockRequest? request, ClaimsPrincipal user, ChangeOnHand stock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Add("skuId", InputRules.SkuId(skuId, out var sku))
            .Add("delta", request?.Delta switch
            {
                null => "Delta is required.",
                0 => "Delta cannot be zero.",
                < -InputRules.MaxOnHand or > InputRules.MaxOnHand => $"Delta must be between -{InputRules.MaxOnHand} and {InputRules.MaxOnHand}.",
                _ => null,
            })
            .Add("reason", InputRules.Reason(request?.Reason, out var reason));
        if (!errors.IsEmpty) return errors.ToProblem();

        var delta = request!.Delta!.Value;
        var result = await stock.ApplyAsync([sku], level => level.OnHand + delta, LedgerReason.Adjust, reason, user.UserId(), cancellationToken);
        return result.Refusal is null ? TypedResults.Ok(result.Levels[0].ToView()) : result.RefusalProblem();
    }
}
