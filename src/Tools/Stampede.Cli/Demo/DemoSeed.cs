using Stampede.Cli.Api;
using Stampede.Cli.Services;

namespace Stampede.Cli.Demo;

/// <summary>What `up` puts in an empty system: a demo catalog with stock and a verified demo customer.
/// Safe to run on every `up`: what exists is left alone.</summary>
public static class DemoSeed
{
    public const string CustomerEmail = "customer@stampede.local";
    public const string CustomerPassword = "Stampede-Demo-Shopper-2026";
    public const string CustomerName = "Demo Customer";
    public const int Products = 50;
    public const int Seed = 42;

    private const int MaxStockItemsPerCall = 1000;

    /// <summary>Seeds through the gateway; answers a one-line summary of what it did.</summary>
    public static async Task<string> RunAsync(string gatewayUrl, CancellationToken ct)
    {
        using var http = StampedeApi.CreateHttpClient(gatewayUrl);
        var admin = new StampedeApi(http, new ApiStatistics());
        await admin.LoginAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword, ct);

        var catalog = await admin.SeedDemoCatalogAsync(Products, Seed, ct);
        // A first run that made the catalog but died before the stock left SKUs inventory never heard of.
        var stockMissing = catalog.SkuIds.Count > 0 && await admin.FindStockAsync(catalog.SkuIds[0], ct) is null;
        long units = 0;
        if (catalog.Created || stockMissing)
        {
            var targets = DemoStock(catalog.SkuIds);
            foreach (var chunk in targets.Chunk(MaxStockItemsPerCall))
            {
                await admin.SetStockAsync(chunk, "demo seed", ct);
            }

            units = targets.Sum(t => t.OnHand);
        }

        var customer = await EnsureCustomerAsync(admin, admin.Fork(), CustomerEmail, CustomerPassword, CustomerName, ct);

        var catalogPart = catalog.Created
            ? $"created {catalog.Products} products with {catalog.SkuIds.Count} SKUs"
            : $"catalog already there ({catalog.Products} products, {catalog.SkuIds.Count} SKUs)";
        var stockPart = units > 0 ? $"stocked {catalog.SkuIds.Count} SKUs with {units:N0} units" : "stock left as it was";
        return $"Demo data: {catalogPart}; {stockPart}; customer {CustomerEmail} {customer}.";
    }

    /// <summary>20 to 200 units per SKU, the same every time for the same catalog.</summary>
    public static IReadOnlyList<StockTarget> DemoStock(IReadOnlyList<Guid> skuIds)
    {
        var random = new Random(Seed);
        return [.. skuIds.Select(id => new StockTarget(id, random.Next(20, 201)))];
    }

    /// <summary>Registers and verifies a customer unless that is done; leaves <paramref name="customer"/> logged in.
    /// Answers what it did ("registered and verified", "verified", "already there").</summary>
    public static async Task<string> EnsureCustomerAsync(
        StampedeApi admin, StampedeApi customer, string email, string password, string name, CancellationToken ct)
    {
        var registered = await customer.RegisterAsync(email, password, name, ct);
        await customer.LoginAsync(email, password, ct);
        if (customer.TokenSaysEmailVerified()) return "already there";

        var code = await admin.ReadVerificationCodeAsync(email, ct);
        try
        {
            if (code is null) throw new ApiException("no verification code was sent");
            await customer.VerifyEmailAsync(email, code, ct);
        }
        catch (ApiException) when (!registered)
        {
            // An old, expired or used-up code from an earlier run: ask for a fresh one.
            await customer.ResendVerificationCodeAsync(email, ct);
            code = await admin.ReadVerificationCodeAsync(email, ct) ?? throw new ApiException($"No verification code reached {email}.");
            await customer.VerifyEmailAsync(email, code, ct);
        }

        // The token issued before verification still says unverified.
        await customer.LoginAsync(email, password, ct);
        return registered ? "registered and verified" : "verified";
    }
}
