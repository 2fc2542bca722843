using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Caching;
using Stampede.Catalog.Validation;
using Stampede.Messaging;

namespace Stampede.Catalog.Products;

/// <summary>An admin changes a SKU's price or status (either may be omitted, not both).</summary>
public sealed record UpdateSkuRequest(long? Price, string? Status);

public static class UpdateSku
{
    public static async Task<Results<Ok<SkuView>, NotFound, ValidationProblem>> HandleAsync(
        Guid id, Guid skuId, UpdateSkuRequest request, NpgsqlDataSource dataSource, IOutbox outbox, ProductDetailCache cache,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Price is null && request.Status is null) errors.Add("price", "Give a new price, a new status, or both.");
        if (request.Price is not null) errors.Add("price", ProductRules.Price(request.Price));
        string? status = null;
        if (request.Status is not null) errors.Add("status", ProductRules.SkuStatusOf(request.Status, out status));
        if (!errors.IsEmpty) return errors.ToProblem();

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE skus SET price = COALESCE(@price, price), status = COALESCE(@status, status), updated_at = @now
            WHERE id = @skuId AND product_id = @id
            """, new { id, skuId, price = request.Price, status, now }, transaction, cancellationToken: cancellationToken));
        if (updated == 0) return TypedResults.NotFound();
        var version = await ProductChanges.RecordAsync(connection, transaction, outbox, id, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await cache.TryInvalidateAsync(id, version!.Value);

        var (detail, _) = (await ProductStore.LoadDetailAsync(connection, id, cancellationToken))!.Value;
        return TypedResults.Ok(detail.Skus.Single(s => s.Id == skuId));
    }
}
