using System.Text.Json;
using Dapper;
using Npgsql;

namespace Stampede.Catalog.Products;

/// <summary>A product ready to be written: validated, with ids assigned.</summary>
public sealed record NewProduct(
    Guid Id,
    string Name,
    string Description,
    Guid CategoryId,
    string Status,
    IReadOnlyList<string> ImageUrls,
    long Popularity,
    IReadOnlyList<ProductOption> Options,
    IReadOnlyList<NewSku> Skus);

/// <summary>A SKU ready to be written; <see cref="OptionValues"/> follow the order of the product's options.</summary>
public sealed record NewSku(Guid Id, IReadOnlyList<string> OptionValues, long Price, string Status);

/// <summary>Reads and writes products and their SKUs with plain SQL.</summary>
public static class ProductStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewProduct product,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO products (id, category_id, name, description, status, image_urls, options, popularity, created_at, updated_at)
            VALUES (@Id, @CategoryId, @Name, @Description, @Status, @ImageUrls, @Options::jsonb, @Popularity, @now, @now)
            """,
            new
            {
                product.Id, product.CategoryId, product.Name, product.Description, product.Status,
                ImageUrls = product.ImageUrls.ToArray(), Options = JsonSerializer.Serialize(product.Options, Json),
                product.Popularity, now,
            },
            transaction, cancellationToken: cancellationToken));

        // One statement for all SKUs; option values travel as one text per SKU because a jagged
        // array cannot be a PostgreSQL parameter.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO skus (id, product_id, position, option_values, price, status, created_at, updated_at)
            SELECT s.id, @productId, s.position, ARRAY(SELECT jsonb_array_elements_text(s.option_values::jsonb)), s.price, s.status, @now, @now
            FROM unnest(@ids, @positions, @optionValues, @prices, @statuses) AS s (id, position, option_values, price, status)
            """,
            new
            {
                productId = product.Id,
                ids = product.Skus.Select(s => s.Id).ToArray(),
                positions = Enumerable.Range(0, product.Skus.Count).ToArray(),
                optionValues = product.Skus.Select(s => JsonSerializer.Serialize(s.OptionValues, Json)).ToArray(),
                prices = product.Skus.Select(s => s.Price).ToArray(),
                statuses = product.Skus.Select(s => s.Status).ToArray(),
                now,
            },
            transaction, cancellationToken: cancellationToken));
    }

    /// <summary>The product with its SKUs and their availability, and the version it was read at;
    /// null when no such product exists.</summary>
    public static async Task<(ProductDetail Detail, long Version)?> LoadDetailAsync(NpgsqlConnection connection, Guid id,
        CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        // One snapshot for both statements, so the SKUs belong to the version read.
        await using var reader = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, category_id, name, description, status, image_urls, options::text AS options, popularity,
                   created_at, updated_at, version
            FROM products WHERE id = @id;
            SELECT s.id, s.option_values, s.price, s.status, GREATEST(COALESCE(a.available, 0), 0) AS available
            FROM skus s LEFT JOIN sku_availability a ON a.sku_id = s.id
            WHERE s.product_id = @id
            ORDER BY s.position;
            """, new { id }, transaction, cancellationToken: cancellationToken));
        var row = await reader.ReadSingleOrDefaultAsync<ProductRow>();
        if (row is null) return null;
        var skuRows = (await reader.ReadAsync<SkuRow>()).ToList();
        var options = JsonSerializer.Deserialize<List<ProductOption>>(row.Options, Json) ?? [];
        var skus = skuRows.Select(s => ToView(s, options)).ToList();
        var active = skus.Where(s => s.Status == SkuStatus.Active).ToList();
        var detail = new ProductDetail(
            row.Id, row.Name, row.Description, row.CategoryId, row.Status, row.ImageUrls, row.Popularity, row.CreatedAt, row.UpdatedAt,
            options, skus,
            active.Count == 0 ? null : active.Min(s => s.Price),
            active.Count == 0 ? null : active.Max(s => s.Price),
            active.Sum(s => s.Available),
            Currency.Krw);
        return (detail, row.Version);
    }

    public static SkuView ToView(SkuRow sku, IReadOnlyList<ProductOption> options)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count && i < sku.OptionValues.Length; i++) named[options[i].Name] = sku.OptionValues[i];
        return new SkuView(sku.Id, named, OptionsLabel(sku.OptionValues), sku.Price, sku.Available, sku.Status);
    }

    /// <summary>How a SKU is named on an order line: its option values, e.g. "Red / M".</summary>
    public static string OptionsLabel(IReadOnlyList<string> optionValues) => string.Join(" / ", optionValues);

    public static async Task<bool> CategoryExistsAsync(NpgsqlConnection connection, Guid categoryId, NpgsqlTransaction transaction,
        CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE id = @categoryId)", new { categoryId }, transaction,
            cancellationToken: cancellationToken));

    // Classes, not positional records: Dapper's constructor matching wants exact column types, and
    // Npgsql reports text[] columns as System.Array.
    public sealed class ProductRow
    {
        public Guid Id { get; set; }
        public Guid CategoryId { get; set; }
        public string Name { get; set; } = "";
        public string Description { get; set; } = "";
        public string Status { get; set; } = "";
        public string[] ImageUrls { get; set; } = [];
        public string Options { get; set; } = "[]";
        public long Popularity { get; set; }
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
        public long Version { get; set; }
    }

    public sealed class SkuRow
    {
        public Guid Id { get; set; }
        public string[] OptionValues { get; set; } = [];
        public long Price { get; set; }
        public string Status { get; set; } = "";
        public long Available { get; set; }
    }
}
