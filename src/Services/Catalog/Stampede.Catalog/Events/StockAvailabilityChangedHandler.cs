using Dapper;
using Stampede.Catalog.Caching;
using Stampede.Contracts.Inventory;
using Stampede.Messaging;

namespace Stampede.Catalog.Events;

/// <summary>Keeps catalog's view of a SKU's availability. An event whose version is not newer than
/// the stored one is ignored, so late or redelivered events never roll the figure back.</summary>
public sealed class StockAvailabilityChangedHandler(ProductDetailCache cache, TimeProvider time)
    : IIntegrationEventHandler<StockAvailabilityChanged>
{
    public async Task HandleAsync(StockAvailabilityChanged @event, MessageContext context, CancellationToken cancellationToken)
    {
        var applied = await context.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sku_availability (sku_id, available, version, updated_at) VALUES (@SkuId, @Available, @Version, @now)
            ON CONFLICT (sku_id) DO UPDATE SET available = excluded.available, version = excluded.version, updated_at = excluded.updated_at
            WHERE sku_availability.version < excluded.version
            """, new { @event.SkuId, @event.Available, @event.Version, now = time.GetUtcNow() }, context.Transaction,
            cancellationToken: cancellationToken));
        if (applied == 0) return;

        var product = await context.Connection.QuerySingleOrDefaultAsync<ProductVersion>(new CommandDefinition("""
            UPDATE products SET version = version + 1
            WHERE id = (SELECT product_id FROM skus WHERE id = @SkuId)
            RETURNING id, version
            """, new { @event.SkuId }, context.Transaction, cancellationToken: cancellationToken));
        // Invalidated before the commit: the tombstone's newer version stops any reader still
        // holding the old row from caching it; throwing here (Redis down) retries the event.
        if (product is not null) await cache.InvalidateAsync(product.Id, product.Version);
    }

    private sealed record ProductVersion(Guid Id, long Version);
}
