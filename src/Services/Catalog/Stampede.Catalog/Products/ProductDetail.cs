namespace Stampede.Catalog.Products;

/// <summary>A product with its options and SKUs, as the detail endpoint answers it (and as it is
/// cached). Prices are in KRW, the currency's minor unit.</summary>
public sealed record ProductDetail(
    Guid Id,
    string Name,
    string Description,
    Guid CategoryId,
    string Status,
    IReadOnlyList<string> ImageUrls,
    long Popularity,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ProductOption> Options,
    IReadOnlyList<SkuView> Skus,
    long? MinPrice,
    long? MaxPrice,
    long Available,
    string Currency);

/// <summary>An option of a product (e.g. color) and the values it comes in, in display order.</summary>
public sealed record ProductOption(string Name, IReadOnlyList<string> Values);

/// <summary>One sellable combination of option values. <see cref="Available"/> is inventory's
/// latest figure as catalog last heard it.</summary>
public sealed record SkuView(
    Guid Id,
    IReadOnlyDictionary<string, string> Options,
    string OptionsLabel,
    long Price,
    long Available,
    string Status);

public static class ProductStatus
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Hidden = "hidden";

    public static readonly IReadOnlyList<string> All = [Draft, Active, Hidden];
}

public static class SkuStatus
{
    public const string Active = "active";
    public const string Inactive = "inactive";

    public static readonly IReadOnlyList<string> All = [Active, Inactive];
}

public static class Currency
{
    /// <summary>Every price in the catalog is in Korean won (no minor unit below 1 won).</summary>
    public const string Krw = "KRW";
}
