using System.Net;
using System.Net.Http.Json;
using Dapper;
using Stampede.Catalog.Products;
using Stampede.Catalog.Tests.Infrastructure;
using static Stampede.Catalog.Tests.Infrastructure.CatalogRequests;

namespace Stampede.Catalog.Tests.Products;

public sealed class UpdateProductTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task Admin_updates_a_product_and_everyone_sees_the_change()
    {
        var admin = app.Admin();
        var shoes = await admin.CreateCategoryAsync("Shoes");
        var boots = await admin.CreateCategoryAsync("Boots");
        var product = await admin.CreateActiveProductAsync(shoes.Id, "Old Name", 40_000);
        await app.Anonymous().GetProductAsync(product.Id); // now cached

        var response = await admin.PutAsJsonAsync($"/products/{product.Id}", new UpdateProductRequest(
            "New Name", "Now with laces.", boots.Id, null, ["https://img.example.com/new.jpg"], 77));

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var seen = await app.Anonymous().GetProductAsync(product.Id);
        (seen.Name, seen.Description, seen.CategoryId, seen.Status, seen.Popularity).ShouldBe(("New Name", "Now with laces.", boots.Id, "active", 77L));
        seen.ImageUrls.ShouldBe(["https://img.example.com/new.jpg"]);
        seen.UpdatedAt.ShouldBeGreaterThan(product.UpdatedAt);
    }

    [Fact]
    public async Task Hiding_a_product_takes_it_away_from_customers_but_not_from_admins()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Hats");
        var product = await admin.CreateActiveProductAsync(category.Id, "Bucket Hat", 19_000);
        (await app.Customer().BrowseAsync($"categoryId={category.Id}")).Total.ShouldBe(1);
        await app.Customer().GetProductAsync(product.Id);

        var hidden = await admin.PostAsync($"/products/{product.Id}/hide", null);

        await hidden.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await app.Customer().GetAsync($"/products/{product.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Anonymous().GetAsync($"/products/{product.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Customer().BrowseAsync($"categoryId={category.Id}")).Total.ShouldBe(0);
        (await admin.GetProductAsync(product.Id)).Status.ShouldBe(ProductStatus.Hidden);
        (await admin.BrowseAsync($"categoryId={category.Id}&status=hidden")).Items.ShouldHaveSingleItem().Id.ShouldBe(product.Id);
    }

    [Fact]
    public async Task A_draft_is_visible_only_to_admins_until_it_is_activated()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Drafts");
        var draft = await admin.CreateProductAsync(new CreateProductRequest("Secret Jacket", null, category.Id, null, null, null, null, null, 99_000));

        (await app.Customer().GetAsync($"/products/{draft.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Customer().BrowseAsync($"categoryId={category.Id}")).Total.ShouldBe(0);
        (await admin.BrowseAsync($"categoryId={category.Id}&status=all")).Total.ShouldBe(1);

        var activated = await admin.PutAsJsonAsync($"/products/{draft.Id}",
            new UpdateProductRequest("Secret Jacket", null, category.Id, "active", null, null));

        await activated.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await app.Customer().GetProductAsync(draft.Id)).Status.ShouldBe(ProductStatus.Active);
    }

    [Fact]
    public async Task Admin_changes_a_sku_price_and_status()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Socks");
        var product = await admin.CreateActiveProductAsync(category.Id, "Wool Socks", 9_000, options: Option("size", "S", "M"));
        var small = product.Skus[0];

        var response = await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{small.Id}", new UpdateSkuRequest(7_500, "inactive"));

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var sku = (await response.Content.ReadFromJsonAsync<SkuView>())!;
        (sku.Id, sku.Price, sku.Status).ShouldBe((small.Id, 7_500L, "inactive"));
        var seen = await app.Anonymous().GetProductAsync(product.Id);
        seen.Skus.Single(s => s.Id == small.Id).Price.ShouldBe(7_500);
        (seen.MinPrice, seen.MaxPrice).ShouldBe((9_000L, 9_000L), "the inactive SKU no longer counts");
    }

    [Fact]
    public async Task Every_admin_change_puts_a_ProductChanged_in_the_outbox()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Events");
        var product = await admin.CreateActiveProductAsync(category.Id, "Changing Thing", 1_000);

        await admin.PutAsJsonAsync($"/products/{product.Id}", new UpdateProductRequest("Changed Thing", null, category.Id, null, null, null));
        await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{product.Skus[0].Id}", new UpdateSkuRequest(2_000, null));
        await admin.PostAsync($"/products/{product.Id}/hide", null);
        await admin.PostAsync($"/products/{product.Id}/hide", null); // already hidden: no change, no event

        await using var connection = await app.Database.OpenConnectionAsync();
        var statuses = (await connection.QueryAsync<string>("""
            SELECT payload->>'status' FROM messaging.outbox
            WHERE event_name = 'catalog.product-changed.v1' AND payload->>'productId' = @id ORDER BY id
            """, new { id = product.Id.ToString() })).ToList();
        statuses.ShouldBe(["active", "active", "active", "hidden"]);
    }

    [Fact]
    public async Task Changing_what_does_not_exist_answers_404()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Ghosts");
        var product = await admin.CreateActiveProductAsync(category.Id, "Real", 1_000);

        (await admin.PutAsJsonAsync($"/products/{Guid.NewGuid()}", new UpdateProductRequest("X", null, category.Id, null, null, null)))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.PostAsync($"/products/{Guid.NewGuid()}/hide", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{Guid.NewGuid()}", new UpdateSkuRequest(5, null)))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync($"/products/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_updates_are_refused_naming_the_field_and_change_nothing()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Strict");
        var product = await admin.CreateActiveProductAsync(category.Id, "Stable", 1_000);

        (await (await admin.PutAsJsonAsync($"/products/{product.Id}", new UpdateProductRequest("", null, category.Id, "gone", ["nope"], -5)))
            .ValidationErrorFieldsAsync()).ShouldBe(["name", "status", "popularity", "imageUrls[0]"], ignoreOrder: true);
        (await (await admin.PutAsJsonAsync($"/products/{product.Id}", new UpdateProductRequest("Ok", null, Guid.NewGuid(), null, null, null)))
            .ValidationErrorFieldsAsync()).ShouldBe(["categoryId"]);
        (await (await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{product.Skus[0].Id}", new UpdateSkuRequest(0, "sold")))
            .ValidationErrorFieldsAsync()).ShouldBe(["price", "status"], ignoreOrder: true);
        (await (await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{product.Skus[0].Id}", new UpdateSkuRequest(null, null)))
            .ValidationErrorFieldsAsync()).ShouldBe(["price"]);

        var unchanged = await admin.GetProductAsync(product.Id);
        (unchanged.Name, unchanged.Skus[0].Price).ShouldBe(("Stable", 1_000L));
    }
}
