using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Stampede.Ordering.Tests.Infrastructure;

/// <summary>Test double of the catalog service: answers POST /internal/skus/prices, like catalog does,
/// from the SKUs a test puts in it. Unknown SKUs are left out of the answer.</summary>
public sealed class CatalogDouble : NeighbourDouble
{
    private readonly ConcurrentDictionary<Guid, PriceItem> skus = new();
    private int requests;

    /// <summary>While true, every request gets a 503.</summary>
    public volatile bool Down;

    public int Requests => Volatile.Read(ref requests);

    public static async Task<CatalogDouble> StartNewAsync()
    {
        var started = new CatalogDouble();
        await started.StartAsync();
        return started;
    }

    public Guid AddSku(long price, string status = "active", string productName = "Linen shirt", string optionsLabel = "Blue / M")
    {
        var skuId = Guid.NewGuid();
        skus[skuId] = new PriceItem(skuId, productName, optionsLabel, price, "KRW", status, status == "active");
        return skuId;
    }

    protected override void Map(WebApplication app) =>
        app.MapPost("/internal/skus/prices", (PricesRequest request) =>
        {
            Interlocked.Increment(ref requests);
            if (Down) return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            var items = (request.SkuIds ?? []).Distinct().Where(skus.ContainsKey).Select(id => skus[id]).ToList();
            return Results.Ok(new { items });
        });

    private sealed record PricesRequest(List<Guid>? SkuIds);

    private sealed record PriceItem(Guid SkuId, string ProductName, string OptionsLabel, long Price, string Currency, string Status, bool Sellable);
}
