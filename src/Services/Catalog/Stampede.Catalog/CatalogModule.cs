using Stampede.Catalog.Caching;
using Stampede.Catalog.Categories;
using Stampede.Catalog.DemoData;
using Stampede.Catalog.Events;
using Stampede.Catalog.Pricing;
using Stampede.Catalog.Products;
using Stampede.Contracts.Catalog;
using Stampede.Contracts.Inventory;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Catalog;

/// <summary>Marks the catalog assembly (for WebApplicationFactory and migrations).</summary>
public sealed class CatalogService;

/// <summary>All of catalog's wiring: settings, cache, events, endpoints.</summary>
public static class CatalogModule
{
    public static WebApplicationBuilder AddCatalogModule(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection(CatalogSettings.Section).Get<CatalogSettings>() ?? new CatalogSettings());
        builder.Services.AddSingleton<ProductDetailCache>();

        builder.AddMessaging("catalog")
            .Publishes<ProductChanged>()
            .Handles<StockAvailabilityChanged, StockAvailabilityChangedHandler>()
            .Handles<ProductChanged, ProductChangedHandler>();
        return builder;
    }

    public static WebApplication MapCatalogApi(this WebApplication app)
    {
        var categories = app.MapGroup("/categories").WithTags("Categories");
        categories.MapGet("/", GetCategoryTree.HandleAsync).AllowAnonymous();
        categories.MapPost("/", CreateCategory.HandleAsync).RequireAuthorization(Policies.Admin);
        categories.MapPut("/{id:guid}", UpdateCategory.HandleAsync).RequireAuthorization(Policies.Admin);

        var products = app.MapGroup("/products").WithTags("Products");
        products.MapGet("/", BrowseProducts.HandleAsync).AllowAnonymous();
        products.MapGet("/{id:guid}", GetProduct.HandleAsync).AllowAnonymous();
        products.MapPost("/", CreateProduct.HandleAsync).RequireAuthorization(Policies.Admin);
        products.MapPut("/{id:guid}", UpdateProduct.HandleAsync).RequireAuthorization(Policies.Admin);
        products.MapPost("/{id:guid}/hide", HideProduct.HandleAsync).RequireAuthorization(Policies.Admin);
        products.MapPut("/{id:guid}/skus/{skuId:guid}", UpdateSku.HandleAsync).RequireAuthorization(Policies.Admin);

        // Service-to-service only: the gateway refuses any path with an /internal segment.
        app.MapPost("/internal/skus/prices", GetSkuPrices.HandleAsync).AllowAnonymous().WithTags("Internal");

        app.MapPost("/admin/demo-data", SeedDemoData.HandleAsync).RequireAuthorization(Policies.Admin).WithTags("Admin");
        return app;
    }
}
