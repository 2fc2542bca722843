using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Ordering.Http;
using Stampede.Ordering.Pricing;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Carts;

public sealed record SetCartItemRequest(int? Quantity);

/// <summary>PUT /cart/items/{skuId}: puts a SKU in the cart with a quantity (adds or changes the line).
/// The SKU must exist and be for sale per catalog.</summary>
public static class SetCartItem
{
    public const int MinQuantity = 1;
    public const int MaxQuantity = 99;

    public static async Task<Results<Ok<CartView>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string skuId, SetCartItemRequest? request, ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (!Guid.TryParse(skuId, out var sku) || sku == Guid.Empty) errors.Add("skuId", "The SKU id must be a GUID.");
        if (request?.Quantity is not (>= MinQuantity and <= MaxQuantity))
            errors.Add("quantity", $"The quantity must be between {MinQuantity} and {MaxQuantity}.");
        if (!errors.IsEmpty) return errors.ToProblem();

        try
        {
            var prices = await catalog.GetAsync([sku], cancellationToken);
            if (!prices.TryGetValue(sku, out var price))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "SKU not found",
                    detail: $"SKU {sku} does not exist.", extensions: new Dictionary<string, object?> { ["skuId"] = sku });
            }

            if (!price.Sellable) return FieldErrors.Single("skuId", $"SKU {sku} is not for sale.");
            var userId = user.UserId();
            if (!await carts.SetAsync(userId, sku, request!.Quantity!.Value))
                return FieldErrors.Single("skuId", $"The cart already holds {CartStore.MaxLines} different SKUs; remove one first.");
            return TypedResults.Ok(await GetCart.ReadAsync(userId, carts, catalog, cancellationToken));
        }
        catch (CatalogUnavailableException)
        {
            return Problems.CatalogUnavailable();
        }
    }
}
