using Dapper;
using Stampede.Catalog.Caching;
using Stampede.Contracts.Catalog;
using Stampede.Messaging;

namespace Stampede.Catalog.Events;

/// <summary>Catalog hears its own ProductChanged too: the writer invalidates the detail cache right
/// after committing, but a crash in between would leave a stale entry for a whole TTL. The event is
/// delivered whatever happens to the writer, so this second invalidation closes that gap.</summary>
public sealed class ProductChangedHandler(ProductDetailCache cache) : IIntegrationEventHandler<ProductChanged>
{
    public async Task HandleAsync(ProductChanged @event, MessageContext context, CancellationToken cancellationToken)
    {
        var version = await context.Connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT version FROM products WHERE id = @ProductId", new { @event.ProductId }, context.Transaction,
            cancellationToken: cancellationToken));
        if (version is { } current) await cache.InvalidateAsync(@event.ProductId, current);
    }
}
