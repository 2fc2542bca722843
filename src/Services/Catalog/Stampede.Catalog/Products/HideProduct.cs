using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Caching;
using Stampede.Messaging;

namespace Stampede.Catalog.Products;

/// <summary>An admin takes a product off the shop: it leaves listings, its detail answers 404 to
/// customers, and its SKUs stop being sellable. Hiding a hidden product changes nothing.</summary>
public static class HideProduct
{
    public static async Task<Results<Ok<ProductDetail>, NotFound>> HandleAsync(
        Guid id, NpgsqlDataSource dataSource, IOutbox outbox, ProductDetailCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT status FROM products WHERE id = @id FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        if (previous is null) return TypedResults.NotFound();
        if (previous != ProductStatus.Hidden)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE products SET status = @hidden WHERE id = @id", new { id, hidden = ProductStatus.Hidden }, transaction,
                cancellationToken: cancellationToken));
            var version = await ProductChanges.RecordAsync(connection, transaction, outbox, id, time.GetUtcNow(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await cache.TryInvalidateAsync(id, version!.Value);
        }
        else
        {
            await transaction.CommitAsync(cancellationToken);
        }

        var (detail, _) = (await ProductStore.LoadDetailAsync(connection, id, cancellationToken))!.Value;
        return TypedResults.Ok(detail);
    }
}
