using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Stampede.Catalog.Caching;
using Stampede.Catalog.Products;
using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.Products;

public sealed class ProductDetailCacheTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task A_detail_read_once_is_served_from_redis_until_the_product_changes()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Cached");
        var product = await admin.CreateActiveProductAsync(category.Id, "Cached Cap", 15_000);
        var sku = product.Skus[0];
        await app.WaitUntilProductEventsHandledAsync(product.Id);

        (await app.Anonymous().GetProductAsync(product.Id)).Skus[0].Price.ShouldBe(15_000);
        (await app.Redis.KeyExistsAsync(ProductDetailCache.KeyOf(product.Id))).ShouldBeTrue();

        // Behind the service's back: the cached detail still answers, proving reads come from Redis.
        await using (var connection = await app.Database.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE skus SET price = 1 WHERE id = @id", new { id = sku.Id });
        (await app.Anonymous().GetProductAsync(product.Id)).Skus[0].Price.ShouldBe(15_000);

        // Through the API: the change invalidates the entry and the next read shows the new price.
        (await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{sku.Id}", new UpdateSkuRequest(12_000, null)))
            .EnsureSuccessStatusCode();
        (await app.Anonymous().GetProductAsync(product.Id)).Skus[0].Price.ShouldBe(12_000);
    }

    [Fact]
    public async Task Updating_the_product_invalidates_its_cached_detail()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Renamed");
        var product = await admin.CreateActiveProductAsync(category.Id, "Before", 15_000);
        await app.Anonymous().GetProductAsync(product.Id);

        (await admin.PutAsJsonAsync($"/products/{product.Id}", new UpdateProductRequest("After", null, category.Id, null, null, null)))
            .EnsureSuccessStatusCode();

        (await app.Anonymous().GetProductAsync(product.Id)).Name.ShouldBe("After");
    }

    [Fact]
    public async Task Readers_racing_a_writer_never_leave_a_stale_detail_in_the_cache()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Contended");
        var product = await admin.CreateActiveProductAsync(category.Id, "Contended", 1_000);
        var sku = product.Skus[0].Id;
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var client = app.Anonymous();
            while (!stop.IsCancellationRequested)
            {
                (await client.GetAsync($"/products/{product.Id}")).EnsureSuccessStatusCode();
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        for (var price = 1_001L; price <= 1_030; price++)
        {
            (await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{sku}", new UpdateSkuRequest(price, null))).EnsureSuccessStatusCode();
            (await app.Anonymous().GetProductAsync(product.Id)).Skus[0].Price.ShouldBe(price, "a write is visible to the next read");
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        reads.ShouldBeGreaterThan(30);
        (await app.Anonymous().GetProductAsync(product.Id)).Skus[0].Price.ShouldBe(1_030);
    }

    [Fact]
    public async Task A_fill_older_than_the_last_invalidation_is_refused()
    {
        var cache = app.Services.GetRequiredService<ProductDetailCache>();
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Raced");
        var product = await admin.CreateActiveProductAsync(category.Id, "Raced", 15_000);

        // A reader loaded version 4; meanwhile a writer committed version 5 and invalidated.
        await cache.InvalidateAsync(product.Id, 5);
        await cache.FillAsync(product with { Name = "Stale" }, 4);
        (await cache.TryGetAsync(product.Id)).ShouldBeNull();

        await cache.FillAsync(product with { Name = "Fresh" }, 5);
        (await cache.TryGetAsync(product.Id))!.Name.ShouldBe("Fresh");

        await cache.FillAsync(product with { Name = "Stale again" }, 4);
        (await cache.TryGetAsync(product.Id))!.Name.ShouldBe("Fresh");
    }

    [Fact]
    public async Task ProductChanged_invalidates_the_cache_even_when_the_writer_did_not()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Crashed");
        var product = await admin.CreateActiveProductAsync(category.Id, "Crash Test", 15_000);
        await app.WaitUntilProductEventsHandledAsync(product.Id);
        await app.Anonymous().GetProductAsync(product.Id);
        await using (var connection = await app.Database.OpenConnectionAsync())
            await connection.ExecuteAsync("UPDATE products SET description = 'unseen' WHERE id = @id", new { id = product.Id });
        (await app.Anonymous().GetProductAsync(product.Id)).Description.ShouldBe("", "served from the cache");

        // A writer that committed and died before invalidating: its ProductChanged is still delivered.
        var outbox = app.Services.GetRequiredService<Stampede.Messaging.IOutbox>();
        await using (var connection = await app.Database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("UPDATE products SET name = 'Survivor' WHERE id = @id", new { id = product.Id }, transaction);
            await ProductChanges.RecordAsync(connection, transaction, outbox, product.Id, DateTimeOffset.UtcNow, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await Eventually.HoldsAsync(async () => (await app.Anonymous().GetProductAsync(product.Id)).Name == "Survivor",
            "the detail shows the change once ProductChanged is handled");
    }

    [Fact]
    public async Task Hidden_and_draft_details_are_404_for_customers_even_when_cached_by_an_admin_read()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Private");
        var draft = await admin.CreateProductAsync(new CreateProductRequest("Draft", null, category.Id, null, null, null, null, null, 1_000));
        await admin.GetProductAsync(draft.Id);
        (await app.Redis.KeyExistsAsync(ProductDetailCache.KeyOf(draft.Id))).ShouldBeTrue();

        (await app.Customer().GetAsync($"/products/{draft.Id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync($"/products/{draft.Id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}
