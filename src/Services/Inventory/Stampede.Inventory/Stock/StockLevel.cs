using Stampede.Contracts.Inventory;

namespace Stampede.Inventory.Stock;

/// <summary>One SKU's stock as stored.</summary>
public sealed record StockLevel(Guid SkuId, long OnHand, long Reserved, long Version)
{
    public long Available => OnHand - Reserved;

    public StockAvailabilityChanged AvailabilityChanged() => new(SkuId, Available, Version);

    public StockView ToView() => new(SkuId, OnHand, Reserved, Available, Version);
}

/// <summary>How a SKU's stock is shown to admins.</summary>
public sealed record StockView(Guid SkuId, long OnHand, long Reserved, long Available, long Version);

/// <summary>A change to one SKU's on-hand and reserved units.</summary>
public sealed record StockChange(Guid SkuId, long DeltaOnHand, long DeltaReserved);

/// <summary>The reason column of the ledger: what kind of change a row records.</summary>
public static class LedgerReason
{
    public const string Set = "set";
    public const string Adjust = "adjust";
    public const string Reserve = "reserve";
    public const string Release = "release";
    public const string Commit = "commit";
    public const string Restock = "restock";
    public const string Expire = "expire";
}

/// <summary>What the ledger rows of one change say besides the deltas.</summary>
public sealed record LedgerEntry(string Reason, string? Note, Guid? OrderId, Guid? Actor, DateTimeOffset At);
