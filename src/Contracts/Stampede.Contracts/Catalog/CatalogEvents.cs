namespace Stampede.Contracts.Catalog;

/// <summary>A product or one of its SKUs was created or changed (price, status, content).
/// Caches of product detail are invalidated by it.</summary>
[EventName("catalog.product-changed.v1")]
public sealed record ProductChanged(Guid ProductId, IReadOnlyList<Guid> SkuIds, string Status) : IntegrationEvent;
