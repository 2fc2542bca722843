using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Catalog.Categories;
using Stampede.Catalog.Products;

namespace Stampede.Catalog.Tests.Infrastructure;

/// <summary>The calls tests make again and again, asserting they succeed.</summary>
public static class CatalogRequests
{
    public static async Task<CategoryView> CreateCategoryAsync(this HttpClient admin, string name, Guid? parentId = null, string? slug = null)
    {
        var response = await admin.PostAsJsonAsync("/categories", new CategoryRequest(name, slug ?? "c-" + Guid.NewGuid().ToString("N"), parentId));
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<CategoryView>())!;
    }

    public static async Task<ProductDetail> CreateProductAsync(this HttpClient admin, CreateProductRequest request)
    {
        var response = await admin.PostAsJsonAsync("/products", request);
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<ProductDetail>())!;
    }

    /// <summary>An active product with one SKU per combination of <paramref name="options"/> at <paramref name="price"/>.</summary>
    public static Task<ProductDetail> CreateActiveProductAsync(this HttpClient admin, Guid categoryId, string name, long price,
        string description = "", long popularity = 0, params OptionInput[] options) =>
        admin.CreateProductAsync(new CreateProductRequest(name, description, categoryId, ProductStatus.Active,
            ["https://images.example.com/" + Guid.NewGuid().ToString("N") + ".jpg"], popularity, options, null, price));

    public static async Task<ProductDetail> GetProductAsync(this HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/products/{id}");
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<ProductDetail>())!;
    }

    public static async Task<ProductPage> BrowseAsync(this HttpClient client, string query)
    {
        var response = await client.GetAsync("/products?" + query);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<ProductPage>())!;
    }

    public static async Task ShouldHaveStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            throw new ShouldAssertException($"Expected {(int)expected} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The field names of a 400 validation problem's errors.</summary>
    public static async Task<IReadOnlyList<string>> ValidationErrorFieldsAsync(this HttpResponseMessage response)
    {
        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("errors", out var errors)
            ? [.. errors.EnumerateObject().Select(e => e.Name)]
            : problem.RootElement.TryGetProperty("field", out var field) ? [field.GetString()!] : [];
    }

    public static OptionInput Option(string name, params string[] values) => new(name, values);
}
