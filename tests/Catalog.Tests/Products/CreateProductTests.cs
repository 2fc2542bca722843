using System.Net;
using System.Net.Http.Json;
using Dapper;
using Stampede.Catalog.Products;
using Stampede.Catalog.Tests.Infrastructure;
using Stampede.Contracts.Catalog;
using static Stampede.Catalog.Tests.Infrastructure.CatalogRequests;

namespace Stampede.Catalog.Tests.Products;

public sealed class CreateProductTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task Admin_creates_a_product_with_one_sku_per_option_combination()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Shoes");

        var product = await admin.CreateProductAsync(new CreateProductRequest(
            "Trail Sneakers", "Grippy soles.\nMade for mud.", category.Id, null, ["https://img.example.com/a.jpg"], 12,
            [Option("color", "red", "blue"), Option("size", "S", "M")], null, 59_000));

        product.Status.ShouldBe(ProductStatus.Draft);
        product.Description.ShouldBe("Grippy soles.\nMade for mud.");
        product.Options.Select(o => o.Name).ShouldBe(["color", "size"]);
        product.Skus.Count.ShouldBe(4);
        product.Skus.Select(s => s.OptionsLabel).ShouldBe(["red / S", "red / M", "blue / S", "blue / M"]);
        product.Skus.ShouldAllBe(s => s.Price == 59_000 && s.Status == SkuStatus.Active && s.Available == 0);
        product.Skus[2].Options.ShouldBe(new Dictionary<string, string> { ["color"] = "blue", ["size"] = "S" });
        (product.MinPrice, product.MaxPrice, product.Currency).ShouldBe((59_000L, 59_000L, "KRW"));
        (await admin.GetProductAsync(product.Id)).Skus.Select(s => s.Id).ShouldBe(product.Skus.Select(s => s.Id));
    }

    [Fact]
    public async Task Admin_creates_a_product_with_listed_skus_and_their_own_prices()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Shirts");

        var product = await admin.CreateProductAsync(new CreateProductRequest(
            "Linen Shirt", null, category.Id, "active", null, null, [Option("size", "S", "M", "L")],
            [
                new SkuInput(new() { ["size"] = "S" }, 30_000, null),
                new SkuInput(new() { ["SIZE"] = "l" }, 35_000, "inactive"),
            ], null));

        product.Status.ShouldBe(ProductStatus.Active);
        product.Skus.Select(s => (s.OptionsLabel, s.Price, s.Status)).ShouldBe([("S", 30_000L, "active"), ("L", 35_000L, "inactive")]);
        (product.MinPrice, product.MaxPrice).ShouldBe((30_000L, 30_000L), "only active SKUs count");
    }

    [Fact]
    public async Task A_product_without_options_gets_a_single_sku()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Gift cards");

        var product = await admin.CreateActiveProductAsync(category.Id, "Gift Card", 10_000);

        product.Skus.ShouldHaveSingleItem().OptionsLabel.ShouldBe("");
        product.Skus[0].Options.ShouldBeEmpty();
    }

    [Fact]
    public async Task Creating_a_product_puts_ProductChanged_in_the_outbox_and_delivers_it()
    {
        await using var probe = await EventProbe<ProductChanged>.StartAsync(Stampede.Testing.TestServers.RabbitMq, app.Exchange);
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Bags");

        var product = await admin.CreateActiveProductAsync(category.Id, "Tote Bag", 25_000, options: Option("color", "black", "tan"));

        await using (var connection = await app.Database.OpenConnectionAsync())
        {
            var payloads = (await connection.QueryAsync<string>(
                "SELECT payload::text FROM messaging.outbox WHERE event_name = 'catalog.product-changed.v1' AND payload->>'productId' = @id",
                new { id = product.Id.ToString() })).ToList();
            payloads.ShouldHaveSingleItem();
        }
        var delivered = await probe.WaitForAsync(e => e.ProductId == product.Id, "ProductChanged for the new product");
        delivered.Status.ShouldBe("active");
        delivered.SkuIds.ShouldBe(product.Skus.Select(s => s.Id).ToList());
    }

    public static TheoryData<string, string, string> InvalidProducts() => new()
    {
        { "empty name", """{"name":"  ","categoryId":"{cat}","price":1000}""", "name" },
        { "name too long", $$"""{"name":"{{new string('x', 201)}}","categoryId":"{cat}","price":1000}""", "name" },
        { "control character in name", """{"name":"Bad\u0007Name","categoryId":"{cat}","price":1000}""", "name" },
        { "description too long", $$"""{"name":"Ok","description":"{{new string('d', 5001)}}","categoryId":"{cat}","price":1000}""", "description" },
        { "missing category", """{"name":"Ok","price":1000}""", "categoryId" },
        { "unknown category", $$"""{"name":"Ok","categoryId":"{{Guid.NewGuid()}}","price":1000}""", "categoryId" },
        { "zero price", """{"name":"Ok","categoryId":"{cat}","price":0}""", "price" },
        { "price above the cap", """{"name":"Ok","categoryId":"{cat}","price":100000001}""", "price" },
        { "no price and no skus", """{"name":"Ok","categoryId":"{cat}"}""", "price" },
        { "both price and skus", """{"name":"Ok","categoryId":"{cat}","price":1000,"skus":[{"price":1000}]}""", "price" },
        { "unknown status", """{"name":"Ok","categoryId":"{cat}","price":1000,"status":"live"}""", "status" },
        { "negative popularity", """{"name":"Ok","categoryId":"{cat}","price":1000,"popularity":-1}""", "popularity" },
        { "relative image url", """{"name":"Ok","categoryId":"{cat}","price":1000,"imageUrls":["/a.jpg"]}""", "imageUrls[0]" },
        { "ftp image url", """{"name":"Ok","categoryId":"{cat}","price":1000,"imageUrls":["https://ok.example/a.jpg","ftp://x/a.jpg"]}""", "imageUrls[1]" },
        { "too many image urls", $$"""{"name":"Ok","categoryId":"{cat}","price":1000,"imageUrls":[{{string.Join(",", Enumerable.Repeat("\"https://x.example/a.jpg\"", 21))}}]}""", "imageUrls" },
        { "duplicate option names", """{"name":"Ok","categoryId":"{cat}","price":1000,"options":[{"name":"size","values":["S"]},{"name":"Size","values":["M"]}]}""", "options[1].name" },
        { "option without values", """{"name":"Ok","categoryId":"{cat}","price":1000,"options":[{"name":"size","values":[]}]}""", "options[0].values" },
        { "duplicate option values", """{"name":"Ok","categoryId":"{cat}","price":1000,"options":[{"name":"size","values":["S","s"]}]}""", "options[0].values[1]" },
        { "more than 200 combinations", $$"""{"name":"Ok","categoryId":"{cat}","price":1000,"options":[{"name":"a","values":[{{Values(15)}}]},{"name":"b","values":[{{Values(14)}}]}]}""", "options" },
        { "sku value not an option value", """{"name":"Ok","categoryId":"{cat}","options":[{"name":"size","values":["S"]}],"skus":[{"options":{"size":"XL"},"price":1000}]}""", "skus[0].options" },
        { "sku missing an option", """{"name":"Ok","categoryId":"{cat}","options":[{"name":"size","values":["S"]}],"skus":[{"options":{},"price":1000}]}""", "skus[0].options" },
        { "duplicate sku combination", """{"name":"Ok","categoryId":"{cat}","options":[{"name":"size","values":["S"]}],"skus":[{"options":{"size":"S"},"price":1000},{"options":{"size":"S"},"price":2000}]}""", "skus[1].options" },
        { "sku price zero", """{"name":"Ok","categoryId":"{cat}","skus":[{"price":0}]}""", "skus[0].price" },
        { "more than 200 skus", $$"""{"name":"Ok","categoryId":"{cat}","options":[{"name":"n","values":[{{Values(50)}}]}],"skus":[{{string.Join(",", Enumerable.Repeat("{\"options\":{\"n\":\"v1\"},\"price\":1000}", 201))}}]}""", "skus" },
        { "price of the wrong type", """{"name":"Ok","categoryId":"{cat}","price":"cheap"}""", "price" },
    };

    [Theory]
    [MemberData(nameof(InvalidProducts))]
    public async Task An_invalid_product_is_refused_naming_the_field_and_nothing_is_stored(string why, string body, string field)
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Invalid " + why);

        var response = await admin.PostAsync("/products",
            new StringContent(body.Replace("{cat}", category.Id.ToString()), System.Text.Encoding.UTF8, "application/json"));

        (await response.ValidationErrorFieldsAsync()).ShouldContain(field, why);
        await using var connection = await app.Database.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM products WHERE category_id = @id", new { id = category.Id })).ShouldBe(0);
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_not_a_500()
    {
        var response = await app.Admin().PostAsync("/products", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("Exception");
    }

    private static string Values(int count) => string.Join(",", Enumerable.Range(1, count).Select(i => $"\"v{i}\""));
}
