using Dapper;
using Npgsql;
using Stampede.Contracts.Catalog;
using Stampede.Messaging;

namespace Stampede.Catalog.Products;

/// <summary>What every change of a product does inside its transaction: a new version (which the
/// detail cache compares against) and a ProductChanged event in the outbox.</summary>
public static class ProductChanges
{
    /// <summary>Bumps the product's version and enqueues ProductChanged; returns the new version, or
    /// null when the product does not exist.</summary>
    public static async Task<long?> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IOutbox outbox,
        Guid productId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await connection.QuerySingleOrDefaultAsync<ChangedRow>(new CommandDefinition(
            "UPDATE products SET version = version + 1, updated_at = @now WHERE id = @productId RETURNING version, status",
            new { productId, now }, transaction, cancellationToken: cancellationToken));
        if (changed is not { } product) return null;
        var skuIds = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM skus WHERE product_id = @productId ORDER BY position",
            new { productId }, transaction, cancellationToken: cancellationToken))).ToList();
        await outbox.EnqueueAsync(new ProductChanged(productId, skuIds, product.Status), transaction, cancellationToken);
        return product.Version;
    }

    private sealed record ChangedRow(long Version, string Status);
}
