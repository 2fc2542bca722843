using System.Net;
using System.Net.Http.Json;
using Stampede.Catalog.Categories;
using Stampede.Catalog.Tests.Infrastructure;

namespace Stampede.Catalog.Tests.Categories;

public sealed class CategoryTreeTests(CatalogApp app) : IClassFixture<CatalogApp>
{
    [Fact]
    public async Task Categories_come_back_as_a_tree_sorted_by_name()
    {
        var admin = app.Admin();
        var root = await admin.CreateCategoryAsync("Tree Root " + Guid.NewGuid().ToString("N")[..6]);
        var zebra = await admin.CreateCategoryAsync("Zebra", root.Id);
        var apple = await admin.CreateCategoryAsync("Apple", root.Id);
        var leaf = await admin.CreateCategoryAsync("Leaf", apple.Id);

        var tree = (await app.Anonymous().GetFromJsonAsync<List<CategoryNode>>("/categories"))!;

        var node = tree.Single(n => n.Id == root.Id);
        node.ParentId.ShouldBeNull();
        node.Children.Select(c => c.Name).ShouldBe(["Apple", "Zebra"]);
        node.Children[0].Children.ShouldHaveSingleItem().Id.ShouldBe(leaf.Id);
        node.Children[0].Children[0].ParentId.ShouldBe(apple.Id);
        node.Children[1].Id.ShouldBe(zebra.Id);
    }

    [Fact]
    public async Task A_slug_is_made_from_the_name_when_none_is_given()
    {
        var response = await app.Admin().PostAsJsonAsync("/categories", new CategoryRequest("Running Shoes & Socks " + Guid.NewGuid().ToString("N")[..6], null, null));

        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        (await response.Content.ReadFromJsonAsync<CategoryView>())!.Slug.ShouldStartWith("running-shoes-socks-");
    }

    [Fact]
    public async Task Admin_moves_a_category_but_never_under_its_own_subtree()
    {
        var admin = app.Admin();
        var a = await admin.CreateCategoryAsync("A");
        var b = await admin.CreateCategoryAsync("B", a.Id);
        var c = await admin.CreateCategoryAsync("C", b.Id);
        var elsewhere = await admin.CreateCategoryAsync("Elsewhere");

        (await (await admin.PutAsJsonAsync($"/categories/{a.Id}", new CategoryRequest("A", a.Slug, c.Id))).ValidationErrorFieldsAsync())
            .ShouldBe(["parentId"]);
        (await (await admin.PutAsJsonAsync($"/categories/{a.Id}", new CategoryRequest("A", a.Slug, a.Id))).ValidationErrorFieldsAsync())
            .ShouldBe(["parentId"]);

        var moved = await admin.PutAsJsonAsync($"/categories/{b.Id}", new CategoryRequest("B renamed", b.Slug, elsewhere.Id));
        await moved.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var tree = (await app.Anonymous().GetFromJsonAsync<List<CategoryNode>>("/categories"))!;
        var bNode = tree.Single(n => n.Id == elsewhere.Id).Children.ShouldHaveSingleItem();
        (bNode.Name, bNode.Children.ShouldHaveSingleItem().Id).ShouldBe(("B renamed", c.Id));
        tree.Single(n => n.Id == a.Id).Children.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_taken_slug_is_a_conflict()
    {
        var admin = app.Admin();
        var slug = "taken-" + Guid.NewGuid().ToString("N")[..8];
        await admin.CreateCategoryAsync("First", slug: slug);

        var response = await admin.PostAsJsonAsync("/categories", new CategoryRequest("Second", slug, null));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"field\":\"slug\"");
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"Ok","slug":"Not A Slug"}""", "slug")]
    [InlineData("""{"name":"Ok","slug":"-edge-"}""", "slug")]
    [InlineData("""{"name":"Ok","parentId":"00000000-0000-0000-0000-000000000000"}""", "parentId")]
    [InlineData("""{"name":"Ok","parentId":"0b6e5f0c-4a1e-4c53-9d61-000000000001"}""", "parentId")]
    public async Task Invalid_categories_are_refused_naming_the_field(string body, string field)
    {
        var response = await app.Admin().PostAsync("/categories", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        (await response.ValidationErrorFieldsAsync()).ShouldBe([field]);
    }

    [Fact]
    public async Task Moving_an_unknown_category_is_404()
    {
        var response = await app.Admin().PutAsJsonAsync($"/categories/{Guid.NewGuid()}", new CategoryRequest("X", null, null));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
