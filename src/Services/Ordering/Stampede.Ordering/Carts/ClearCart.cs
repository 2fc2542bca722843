using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Carts;

/// <summary>DELETE /cart: empties the caller's cart.</summary>
public static class ClearCart
{
    public static async Task<NoContent> HandleAsync(ClaimsPrincipal user, CartStore carts)
    {
        await carts.ClearAsync(user.UserId());
        return TypedResults.NoContent();
    }
}
