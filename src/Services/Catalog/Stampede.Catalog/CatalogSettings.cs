namespace Stampede.Catalog;

/// <summary>Catalog's own settings (section <c>Catalog</c>).</summary>
public sealed record CatalogSettings
{
    public const string Section = "Catalog";

    /// <summary>How long a product detail stays in Redis when nothing changes it.</summary>
    public TimeSpan DetailCacheTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an invalidation marker lives: longer than any read-then-fill takes, so a
    /// reader holding an older row cannot cache it after the invalidation.</summary>
    public TimeSpan DetailCacheTombstoneTtl { get; init; } = TimeSpan.FromMinutes(1);
}
