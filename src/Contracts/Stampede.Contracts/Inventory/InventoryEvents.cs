namespace Stampede.Contracts.Inventory;

/// <summary>All lines of an order are reserved until <paramref name="ExpiresAt"/>.</summary>
[EventName("inventory.stock-reserved.v1")]
public sealed record StockReserved(Guid OrderId, Guid ReservationId, DateTimeOffset ExpiresAt) : IntegrationEvent;

/// <summary>An order could not be reserved; nothing of it is held.</summary>
[EventName("inventory.stock-rejected.v1")]
public sealed record StockRejected(Guid OrderId, string Reason, IReadOnlyList<Guid> ShortSkuIds) : IntegrationEvent;

/// <summary>Units available for sale of one SKU changed (reservation, release, commit, restock,
/// adjustment). Catalog keeps its availability view from these; <paramref name="Version"/>
/// grows with every change so an older event never overwrites a newer one.</summary>
[EventName("inventory.stock-availability-changed.v1")]
public sealed record StockAvailabilityChanged(Guid SkuId, long Available, long Version) : IntegrationEvent;

/// <summary>An order was paid, but its units could not be committed: its reservation had expired
/// and the stock was sold meanwhile. Nothing was taken off the shelf; ordering gives the money
/// back and ends the order.</summary>
[EventName("inventory.stock-commit-failed.v1")]
public sealed record StockCommitFailed(Guid OrderId, string Reason) : IntegrationEvent;
