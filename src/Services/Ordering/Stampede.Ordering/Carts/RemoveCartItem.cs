using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Ordering.Http;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Carts;

/// <summary>DELETE /cart/items/{skuId}: takes a SKU out of the cart (done also when it was not in it).</summary>
public static class RemoveCartItem
{
    public static async Task<Results<NoContent, ValidationProblem>> HandleAsync(string skuId, ClaimsPrincipal user, CartStore carts)
    {
        if (!Guid.TryParse(skuId, out var sku)) return FieldErrors.Single("skuId", "The SKU id must be a GUID.");
        await carts.RemoveAsync(user.UserId(), sku);
        return TypedResults.NoContent();
    }
}
