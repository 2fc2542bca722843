using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Ordering.Http;
using Stampede.Ordering.Pricing;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Carts;

public sealed record CartItemView(Guid SkuId, int Quantity, long UnitPrice, long LineTotal, string? ProductName, string? OptionsLabel, bool Sellable);

/// <summary>A cart priced now by catalog; <see cref="Total"/> counts only lines that can be ordered.</summary>
public sealed record CartView(IReadOnlyList<CartItemView> Items, long Total, string Currency);

/// <summary>GET /cart: the caller's cart with current prices.</summary>
public static class GetCart
{
    public static async Task<Results<Ok<CartView>, ProblemHttpResult>> HandleAsync(
        ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await ReadAsync(user.UserId(), carts, catalog, cancellationToken));
        }
        catch (CatalogUnavailableException)
        {
            return Problems.CatalogUnavailable();
        }
    }

    public static async Task<CartView> ReadAsync(Guid userId, CartStore carts, CatalogPrices catalog, CancellationToken cancellationToken)
    {
        var lines = await carts.GetAsync(userId);
        var prices = await catalog.GetAsync([.. lines.Select(line => line.SkuId)], cancellationToken);
        var items = lines
            .Select(line => prices.TryGetValue(line.SkuId, out var price)
                ? new CartItemView(line.SkuId, line.Quantity, price.Price, price.Price * line.Quantity, price.ProductName, price.OptionsLabel, price.Sellable)
                : new CartItemView(line.SkuId, line.Quantity, 0, 0, null, null, Sellable: false))
            .OrderBy(item => item.ProductName, StringComparer.Ordinal).ThenBy(item => item.SkuId)
            .ToList();
        return new CartView(items, items.Where(item => item.Sellable).Sum(item => item.LineTotal), "KRW");
    }
}
