using System.Net;
using System.Net.Http.Json;
using Dapper;
using Stampede.Catalog.DemoData;
using Stampede.Catalog.Pricing;
using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.DemoData;

/// <summary>Needs an empty catalog, so it has the class's database to itself.</summary>
public sealed class SeedDemoDataTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task Seeding_fills_an_empty_catalog_once_and_then_answers_what_exists()
    {
        var admin = app.Admin();

        var first = await admin.PostAsJsonAsync("/admin/demo-data", new DemoDataRequest(50, 42));
        await first.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var seeded = (await first.Content.ReadFromJsonAsync<DemoDataResult>())!;
        seeded.Created.ShouldBeTrue();
        seeded.Products.ShouldBe(50);
        seeded.SkuIds.Count.ShouldBeInRange(120, 300);
        seeded.SkuIds.Distinct().Count().ShouldBe(seeded.SkuIds.Count);

        var again = await admin.PostAsJsonAsync("/admin/demo-data", new DemoDataRequest(50, 42));
        await again.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var existing = (await again.Content.ReadFromJsonAsync<DemoDataResult>())!;
        existing.Created.ShouldBeFalse();
        existing.SkuIds.ShouldBe(seeded.SkuIds, ignoreOrder: true);

        var listing = await app.Anonymous().BrowseAsync("pageSize=100");
        listing.Total.ShouldBe(50);
        listing.Items.ShouldAllBe(p => p.MinPrice > 0 && p.ImageUrl != null);
        var prices = await app.Anonymous().PostAsJsonAsync("/internal/skus/prices", new SkuPricesRequest([.. seeded.SkuIds.Take(200)]));
        (await prices.Content.ReadFromJsonAsync<SkuPrices>())!.Items.ShouldAllBe(i => i.Sellable);
        var tree = await app.Anonymous().GetFromJsonAsync<List<Stampede.Catalog.Categories.CategoryNode>>("/categories");
        tree!.Count.ShouldBe(4);
        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE event_name = 'catalog.product-changed.v1'"))
            .ShouldBe(50);
    }

    [Fact]
    public async Task Seeding_asks_for_a_sane_number_of_products()
    {
        var response = await app.Admin().PostAsJsonAsync("/admin/demo-data", new DemoDataRequest(0, 1));

        (await response.ValidationErrorFieldsAsync()).ShouldBe(["products"]);
    }
}
