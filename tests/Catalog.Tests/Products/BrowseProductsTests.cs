using System.Net.Http.Json;
using Dapper;
using Stampede.Catalog.Products;
using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.Products;

/// <summary>Each test works in a category tree of its own, so tests sharing the class's database
/// never see each other's products.</summary>
public sealed class BrowseProductsTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task The_category_filter_includes_every_sub_category()
    {
        var admin = app.Admin();
        var fashion = await admin.CreateCategoryAsync("Fashion");
        var shoes = await admin.CreateCategoryAsync("Shoes", fashion.Id);
        var trail = await admin.CreateCategoryAsync("Trail", shoes.Id);
        var other = await admin.CreateCategoryAsync("Kitchen");
        var coat = await admin.CreateActiveProductAsync(fashion.Id, "Coat", 100_000);
        var loafer = await admin.CreateActiveProductAsync(shoes.Id, "Loafer", 80_000);
        var trailRunner = await admin.CreateActiveProductAsync(trail.Id, "Trail Runner", 120_000);
        await admin.CreateActiveProductAsync(other.Id, "Pan", 30_000);

        (await app.Anonymous().BrowseAsync($"categoryId={fashion.Id}")).Items.Select(p => p.Id)
            .ShouldBe([coat.Id, loafer.Id, trailRunner.Id], ignoreOrder: true);
        (await app.Anonymous().BrowseAsync($"categoryId={shoes.Id}")).Items.Select(p => p.Id)
            .ShouldBe([loafer.Id, trailRunner.Id], ignoreOrder: true);
        (await app.Anonymous().BrowseAsync($"categoryId={trail.Id}")).Total.ShouldBe(1);
        (await app.Anonymous().BrowseAsync($"categoryId={Guid.NewGuid()}")).Total.ShouldBe(0);
    }

    [Fact]
    public async Task The_price_range_keeps_products_with_an_active_sku_inside_it()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Priced");
        var twoPrices = await admin.CreateProductAsync(new CreateProductRequest("Two Prices", null, category.Id, "active", null, null,
            [CatalogRequests.Option("size", "S", "L", "XL")],
            [new SkuInput(new() { ["size"] = "S" }, 10_000, null), new SkuInput(new() { ["size"] = "L" }, 50_000, null),
             new SkuInput(new() { ["size"] = "XL" }, 45_000, "inactive")], null));
        var middle = await admin.CreateActiveProductAsync(category.Id, "Middle", 30_000);
        var expensive = await admin.CreateActiveProductAsync(category.Id, "Expensive", 80_000);

        async Task<IEnumerable<Guid>> Ids(string range) =>
            (await app.Anonymous().BrowseAsync($"categoryId={category.Id}&{range}")).Items.Select(p => p.Id);

        (await Ids("minPrice=40000&maxPrice=60000")).ShouldBe([twoPrices.Id]);
        (await Ids("minPrice=25000")).ShouldBe([twoPrices.Id, middle.Id, expensive.Id], ignoreOrder: true);
        (await Ids("maxPrice=20000")).ShouldBe([twoPrices.Id]);
        (await Ids("minPrice=44000&maxPrice=46000")).ShouldBeEmpty("the 45,000 SKU is inactive");
        var listed = (await app.Anonymous().BrowseAsync($"categoryId={category.Id}&minPrice=40000")).Items.Single(p => p.Id == twoPrices.Id);
        (listed.MinPrice, listed.MaxPrice, listed.Currency).ShouldBe((10_000L, 50_000L, "KRW"));
    }

    [Fact]
    public async Task In_stock_keeps_products_with_available_units_and_the_listing_sums_them()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Stocked");
        var stocked = await admin.CreateActiveProductAsync(category.Id, "Stocked", 5_000, options: CatalogRequests.Option("color", "red", "blue"));
        var soldOut = await admin.CreateActiveProductAsync(category.Id, "Sold Out", 5_000);
        await admin.CreateActiveProductAsync(category.Id, "Never Stocked", 5_000);
        await SetAvailableAsync(stocked.Skus[0].Id, 3);
        await SetAvailableAsync(stocked.Skus[1].Id, 2);
        await SetAvailableAsync(soldOut.Skus[0].Id, 0);

        var inStock = await app.Anonymous().BrowseAsync($"categoryId={category.Id}&inStock=true");
        inStock.Items.ShouldHaveSingleItem().Id.ShouldBe(stocked.Id);
        inStock.Items[0].Available.ShouldBe(5);
        (await app.Anonymous().BrowseAsync($"categoryId={category.Id}&inStock=false")).Total.ShouldBe(3);
    }

    [Fact]
    public async Task Sorts_order_by_newest_price_and_popularity()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Sorted");
        var first = await admin.CreateActiveProductAsync(category.Id, "First", 20_000, popularity: 5);
        var second = await admin.CreateActiveProductAsync(category.Id, "Second", 10_000, popularity: 50);
        var third = await admin.CreateActiveProductAsync(category.Id, "Third", 30_000, popularity: 1);

        async Task<IEnumerable<Guid>> Sorted(string sort) =>
            (await app.Anonymous().BrowseAsync($"categoryId={category.Id}&sort={sort}")).Items.Select(p => p.Id);

        (await Sorted("newest")).ShouldBe([third.Id, second.Id, first.Id]);
        (await Sorted("price_asc")).ShouldBe([second.Id, first.Id, third.Id]);
        (await Sorted("price_desc")).ShouldBe([third.Id, first.Id, second.Id]);
        (await Sorted("popularity")).ShouldBe([second.Id, first.Id, third.Id]);
        (await app.Anonymous().BrowseAsync($"categoryId={category.Id}")).Items.Select(p => p.Id)
            .ShouldBe([third.Id, second.Id, first.Id], "newest first by default");
    }

    [Fact]
    public async Task Pages_are_disjoint_slices_and_every_page_carries_the_total()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Paged");
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++) created.Add((await admin.CreateActiveProductAsync(category.Id, $"Item {i}", 1_000 + i)).Id);

        var pages = new List<ProductPage>();
        for (var page = 1; page <= 4; page++) pages.Add(await app.Anonymous().BrowseAsync($"categoryId={category.Id}&page={page}&pageSize=3"));

        pages.Select(p => p.Items.Count).ShouldBe([3, 3, 1, 0]);
        pages.ShouldAllBe(p => p.Total == 7 && p.PageSize == 3);
        pages.Select(p => p.Page).ShouldBe([1, 2, 3, 4]);
        pages.SelectMany(p => p.Items.Select(i => i.Id)).ShouldBe(created, ignoreOrder: true);
        var defaults = await app.Anonymous().BrowseAsync($"categoryId={category.Id}");
        (defaults.Page, defaults.PageSize).ShouldBe((1, 20));
    }

    [Fact]
    public async Task Customers_only_see_active_products_whatever_status_they_ask_for()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Mixed");
        var active = await admin.CreateActiveProductAsync(category.Id, "Active", 1_000);
        await admin.CreateProductAsync(new CreateProductRequest("Draft", null, category.Id, "draft", null, null, null, null, 1_000));
        await admin.CreateProductAsync(new CreateProductRequest("Hidden", null, category.Id, "hidden", null, null, null, null, 1_000));

        (await app.Customer().BrowseAsync($"categoryId={category.Id}&status=all")).Items.ShouldHaveSingleItem().Id.ShouldBe(active.Id);
        (await admin.BrowseAsync($"categoryId={category.Id}")).Total.ShouldBe(1);
        (await admin.BrowseAsync($"categoryId={category.Id}&status=all")).Total.ShouldBe(3);
        (await admin.BrowseAsync($"categoryId={category.Id}&status=draft")).Items.ShouldHaveSingleItem().Name.ShouldBe("Draft");
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("minPrice=-1", "minPrice")]
    [InlineData("minPrice=5000&maxPrice=1000", "maxPrice")]
    [InlineData("maxPrice=lots", "maxPrice")]
    [InlineData("categoryId=shoes", "categoryId")]
    [InlineData("sort=cheapest", "sort")]
    [InlineData("inStock=maybe", "inStock")]
    public async Task A_bad_query_is_refused_naming_the_parameter(string query, string field)
    {
        var response = await app.Anonymous().GetAsync("/products?" + query);

        (await response.ValidationErrorFieldsAsync()).ShouldBe([field]);
    }

    [Fact]
    public async Task Search_text_longer_than_200_characters_is_refused()
    {
        var response = await app.Anonymous().GetAsync("/products?q=" + new string('a', 201));

        (await response.ValidationErrorFieldsAsync()).ShouldBe(["q"]);
    }

    private async Task SetAvailableAsync(Guid skuId, long available)
    {
        await using var connection = await app.Database.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO sku_availability (sku_id, available, version, updated_at) VALUES (@skuId, @available, 1, now())",
            new { skuId, available });
    }
}
