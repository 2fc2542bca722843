using Dapper;
using Stampede.Catalog.Tests.Infrastructure;
using Stampede.Contracts.Inventory;
using Stampede.Testing;

namespace Stampede.Catalog.Tests.Events;

/// <summary>Availability arrives the way inventory sends it: StockAvailabilityChanged published to
/// the broker by a host of the messaging building block.</summary>
public sealed class StockAvailabilityChangedTests(CatalogApp app) : IClassFixture<CatalogApp>, IAsyncLifetime
{
    private InventoryPublisher inventory = null!;

    public async ValueTask InitializeAsync() => inventory = await InventoryPublisher.StartAsync(TestServers.RabbitMq, app.Exchange);

    public ValueTask DisposeAsync() => inventory.DisposeAsync();

    [Fact]
    public async Task Availability_from_inventory_reaches_the_cached_detail_and_the_listing()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Evented");
        var product = await admin.CreateActiveProductAsync(category.Id, "Evented Shoe", 70_000, options: CatalogRequests.Option("size", "S", "M"));
        await app.WaitUntilProductEventsHandledAsync(product.Id);
        (await app.Anonymous().GetProductAsync(product.Id)).Available.ShouldBe(0); // cached with nothing available

        await inventory.PublishAsync(new StockAvailabilityChanged(product.Skus[0].Id, 7, 1));
        await inventory.PublishAsync(new StockAvailabilityChanged(product.Skus[1].Id, 2, 1));

        await Eventually.HoldsAsync(async () => (await app.Anonymous().GetProductAsync(product.Id)).Available == 9,
            "the detail shows 7 + 2 available");
        var detail = await app.Anonymous().GetProductAsync(product.Id);
        detail.Skus.Select(s => s.Available).ShouldBe([7L, 2L]);
        var listed = await app.Anonymous().BrowseAsync($"categoryId={category.Id}&inStock=true");
        listed.Items.ShouldHaveSingleItem().Available.ShouldBe(9);
    }

    [Fact]
    public async Task An_event_with_an_older_version_than_the_stored_one_is_ignored()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Versioned");
        var product = await admin.CreateActiveProductAsync(category.Id, "Versioned Shoe", 70_000);
        var sku = product.Skus[0].Id;

        await inventory.PublishAsync(new StockAvailabilityChanged(sku, 5, 10));
        await Eventually.HoldsAsync(async () => (await app.Anonymous().GetProductAsync(product.Id)).Available == 5, "version 10 applied");

        var older = new StockAvailabilityChanged(sku, 99, 9);
        var same = new StockAvailabilityChanged(sku, 98, 10);
        await inventory.PublishAsync(older);
        await inventory.PublishAsync(same);
        await WaitUntilHandledAsync(older.EventId);
        await WaitUntilHandledAsync(same.EventId);

        (await app.Anonymous().GetProductAsync(product.Id)).Available.ShouldBe(5);
        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.QuerySingleAsync<(long, long)>("SELECT available, version FROM sku_availability WHERE sku_id = @sku", new { sku }))
            .ShouldBe((5L, 10L));
    }

    [Fact]
    public async Task A_redelivered_event_changes_nothing_twice_and_an_unknown_sku_is_harmless()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Redelivered");
        var product = await admin.CreateActiveProductAsync(category.Id, "Redelivered Shoe", 70_000);
        var first = new StockAvailabilityChanged(product.Skus[0].Id, 4, 1);
        var unknown = new StockAvailabilityChanged(Guid.NewGuid(), 3, 1);

        await inventory.PublishAsync(first);
        await inventory.PublishAsync(first);
        await inventory.PublishAsync(unknown);
        await WaitUntilHandledAsync(first.EventId);
        await WaitUntilHandledAsync(unknown.EventId);

        (await app.Anonymous().GetProductAsync(product.Id)).Available.ShouldBe(4);
        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM messaging.inbox WHERE message_id = @id", new { id = first.EventId }))
            .ShouldBe(1);
    }

    private Task WaitUntilHandledAsync(Guid eventId) =>
        Eventually.HoldsAsync(async () =>
        {
            await using var connection = await app.Database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM messaging.inbox WHERE message_id = @eventId)", new { eventId });
        }, $"event {eventId} handled");
}
