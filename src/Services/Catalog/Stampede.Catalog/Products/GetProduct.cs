using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Caching;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Catalog.Products;

/// <summary>A product's detail with SKUs and availability, served from the Redis cache when it
/// holds it. Drafts and hidden products exist only for admins.</summary>
public static class GetProduct
{
    public static async Task<Results<Ok<ProductDetail>, NotFound>> HandleAsync(
        Guid id, ClaimsPrincipal user, ProductDetailCache cache, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var detail = await cache.TryGetAsync(id);
        if (detail is null)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            if (await ProductStore.LoadDetailAsync(connection, id, cancellationToken) is not { } loaded)
                return TypedResults.NotFound();
            await cache.FillAsync(loaded.Detail, loaded.Version);
            detail = loaded.Detail;
        }
        return detail.Status == ProductStatus.Active || user.IsAdmin() ? TypedResults.Ok(detail) : TypedResults.NotFound();
    }
}
