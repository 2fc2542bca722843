using System.Net.Http.Json;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Ordering.Pricing;

/// <summary>Catalog's authoritative price and sale status of one SKU.</summary>
public sealed record SkuPrice(Guid SkuId, string ProductName, string? OptionsLabel, long Price, string Currency, string Status, bool Sellable);

/// <summary>Asks catalog (<c>POST {Services:catalog}/internal/skus/prices</c> with <c>{skuIds}</c>, answered
/// with <c>{items:[SkuPrice]}</c>; an unknown SKU is simply absent) for the prices an order or a cart is
/// worth. Prices never come from the client.</summary>
public sealed class CatalogPrices(HttpClient http)
{
    public async Task<IReadOnlyDictionary<Guid, SkuPrice>> GetAsync(IReadOnlyCollection<Guid> skuIds, CancellationToken cancellationToken)
    {
        if (skuIds.Count == 0) return new Dictionary<Guid, SkuPrice>();
        try
        {
            // A read sent as POST (the SKU list may be long): safe to send again to another instance.
            using var request = new HttpRequestMessage(HttpMethod.Post, "internal/skus/prices")
            {
                Content = JsonContent.Create(new PricesRequest([.. skuIds.Distinct()])),
            }.Idempotent();
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<PricesResponse>(cancellationToken);
            return (body?.Items ?? []).Where(item => item.SkuId != Guid.Empty).ToDictionary(item => item.SkuId, item => new SkuPrice(
                item.SkuId, item.ProductName ?? "", item.OptionsLabel, item.Price, item.Currency ?? "KRW", item.Status ?? "",
                item.Sellable ?? string.Equals(item.Status, "active", StringComparison.OrdinalIgnoreCase)));
        }
        catch (Exception ex) when (InternalCalls.IsUnanswered(ex, cancellationToken))
        {
            throw new CatalogUnavailableException(ex);
        }
    }

    private sealed record PricesRequest(IReadOnlyList<Guid> SkuIds);

    private sealed record PricesResponse(IReadOnlyList<PriceItem>? Items);

    private sealed record PriceItem(Guid SkuId, string? ProductName, string? OptionsLabel, long Price, string? Currency, string? Status, bool? Sellable);
}

/// <summary>Catalog did not answer (down, slow, garbled, or its breaker open); the caller answers 503.</summary>
public sealed class CatalogUnavailableException(Exception inner) : Exception("Catalog did not answer the price request.", inner);
