using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.Products;

public sealed class SearchProductsTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Theory]
    [InlineData("sneak")]
    [InlineData("SNEAKERS")]
    [InlineData("sneaker")]
    [InlineData("trail sneak")]
    [InlineData("sneakrs")]
    public async Task A_partial_word_or_a_small_typo_finds_the_product(string q)
    {
        var (category, sneakers, _) = await ShelfAsync();

        var found = await app.Anonymous().BrowseAsync($"categoryId={category}&q={Uri.EscapeDataString(q)}");

        found.Items.Select(p => p.Id).ShouldContain(sneakers);
    }

    [Fact]
    public async Task Words_of_the_description_are_searched_too()
    {
        var (category, sneakers, _) = await ShelfAsync();

        var found = await app.Anonymous().BrowseAsync($"categoryId={category}&q=waterproof");

        found.Items.ShouldHaveSingleItem().Id.ShouldBe(sneakers);
    }

    [Theory]
    [InlineData("운동화")]
    [InlineData("운동")]
    [InlineData("나이키 운동화")]
    public async Task Korean_text_is_found_by_whole_and_partial_words(string q)
    {
        var (category, _, korean) = await ShelfAsync();

        var found = await app.Anonymous().BrowseAsync($"categoryId={category}&q={Uri.EscapeDataString(q)}");

        found.Items.Select(p => p.Id).ShouldBe([korean]);
    }

    [Fact]
    public async Task A_name_match_ranks_above_a_description_match()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Ranked");
        var inDescription = await admin.CreateActiveProductAsync(category.Id, "Plain Bag", 10_000, "Fits a lantern easily.");
        var inName = await admin.CreateActiveProductAsync(category.Id, "Camping Lantern", 10_000, "Bright.");

        var found = await app.Anonymous().BrowseAsync($"categoryId={category.Id}&q=lantern");

        found.Items.Select(p => p.Id).ShouldBe([inName.Id, inDescription.Id]);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("a & b | !c")]
    [InlineData("'); DROP TABLE products; --")]
    [InlineData(":*")]
    public async Task Search_syntax_characters_are_plain_text(string q)
    {
        var (category, _, _) = await ShelfAsync();

        var found = await app.Anonymous().BrowseAsync($"categoryId={category}&q={Uri.EscapeDataString(q)}");

        found.Total.ShouldBe(0);
    }

    [Fact]
    public async Task Text_that_matches_nothing_finds_nothing()
    {
        var (category, _, _) = await ShelfAsync();

        (await app.Anonymous().BrowseAsync($"categoryId={category}&q=zzzqqq")).Total.ShouldBe(0);
    }

    [Fact]
    public async Task A_NUL_in_the_search_text_is_a_400_problem_naming_q()
    {
        var response = await app.Anonymous().GetAsync("/products?q=%00");

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content);
        problem.GetProperty("errors").GetProperty("q")[0].GetString()!.ShouldContain("control character");
    }

    private async Task<(Guid Category, Guid Sneakers, Guid Korean)> ShelfAsync()
    {
        var admin = app.Admin();
        var category = await admin.CreateCategoryAsync("Shelf");
        var sneakers = await admin.CreateActiveProductAsync(category.Id, "Trail Sneakers", 89_000, "Waterproof uppers and a grippy sole.");
        var korean = await admin.CreateActiveProductAsync(category.Id, "나이키 운동화", 129_000, "가볍고 편안한 러닝화입니다.");
        await admin.CreateActiveProductAsync(category.Id, "Ceramic Mug", 12_000, "Holds 350 ml of coffee.");
        return (category.Id, sneakers.Id, korean.Id);
    }
}
