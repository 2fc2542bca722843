using System.Net;
using System.Net.Http.Json;
using Stampede.Catalog.Pricing;
using Stampede.Catalog.Products;
using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.Pricing;

public sealed class SkuPricesTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task Prices_come_with_labels_and_sellable_only_when_product_and_sku_are_active()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Priced");
        var shirt = await admin.CreateProductAsync(new CreateProductRequest("Oxford Shirt", null, category.Id, "active", null, null,
            [CatalogRequests.Option("color", "white", "blue"), CatalogRequests.Option("size", "M")],
            [new SkuInput(new() { ["color"] = "white", ["size"] = "M" }, 45_000, null),
             new SkuInput(new() { ["color"] = "blue", ["size"] = "M" }, 47_000, "inactive")], null));
        var hidden = await admin.CreateActiveProductAsync(category.Id, "Hidden Scarf", 20_000);
        await admin.PostAsync($"/products/{hidden.Id}/hide", null);
        var unknown = Guid.NewGuid();

        var response = await app.Anonymous().PostAsJsonAsync("/internal/skus/prices",
            new SkuPricesRequest([shirt.Skus[0].Id, shirt.Skus[1].Id, hidden.Skus[0].Id, unknown, shirt.Skus[0].Id]));

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var items = (await response.Content.ReadFromJsonAsync<SkuPrices>())!.Items.ToDictionary(i => i.SkuId);
        items.Count.ShouldBe(3);
        items.ShouldNotContainKey(unknown);
        var white = items[shirt.Skus[0].Id];
        (white.ProductId, white.ProductName, white.OptionsLabel, white.Price, white.Currency, white.Status, white.Sellable)
            .ShouldBe((shirt.Id, "Oxford Shirt", "white / M", 45_000L, "KRW", "active", true));
        items[shirt.Skus[1].Id].Sellable.ShouldBeFalse("the SKU is inactive");
        items[hidden.Skus[0].Id].Sellable.ShouldBeFalse("the product is hidden");
        items[hidden.Skus[0].Id].ProductStatus.ShouldBe("hidden");
    }

    [Fact]
    public async Task A_price_change_is_what_the_next_lookup_answers()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Repriced");
        var product = await admin.CreateActiveProductAsync(category.Id, "Repriced", 20_000);
        await admin.PutAsJsonAsync($"/products/{product.Id}/skus/{product.Skus[0].Id}", new UpdateSkuRequest(18_000, null));

        var response = await app.Anonymous().PostAsJsonAsync("/internal/skus/prices", new SkuPricesRequest([product.Skus[0].Id]));

        (await response.Content.ReadFromJsonAsync<SkuPrices>())!.Items.ShouldHaveSingleItem().Price.ShouldBe(18_000);
    }

    [Theory]
    [InlineData("""{"skuIds":[]}""")]
    [InlineData("""{}""")]
    public async Task An_empty_lookup_is_refused(string body)
    {
        var response = await app.Anonymous().PostAsync("/internal/skus/prices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        (await response.ValidationErrorFieldsAsync()).ShouldBe(["skuIds"]);
    }

    [Fact]
    public async Task More_than_200_ids_are_refused_and_a_bad_id_is_named()
    {
        var tooMany = await app.Anonymous().PostAsJsonAsync("/internal/skus/prices",
            new SkuPricesRequest([.. Enumerable.Range(0, 201).Select(_ => Guid.NewGuid())]));
        (await tooMany.ValidationErrorFieldsAsync()).ShouldBe(["skuIds"]);

        var notAnId = await app.Anonymous().PostAsync("/internal/skus/prices",
            new StringContent("""{"skuIds":["nope"]}""", System.Text.Encoding.UTF8, "application/json"));
        (await notAnId.ValidationErrorFieldsAsync()).Single().ShouldStartWith("skuIds");
    }
}
