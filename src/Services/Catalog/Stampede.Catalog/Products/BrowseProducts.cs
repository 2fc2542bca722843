using System.Globalization;
using System.Security.Claims;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Catalog.Products;

/// <summary>The query string of a product listing. Everything arrives as text so a bad value is
/// answered with a 400 naming its parameter rather than a binding failure.</summary>
public sealed record BrowseProductsQuery(
    string? Q, string? CategoryId, string? MinPrice, string? MaxPrice, string? InStock, string? Sort, string? Page, string? PageSize,
    string? Status);

/// <summary>One product in a listing; prices and availability are over its active SKUs.</summary>
public sealed record ProductSummary(
    Guid Id,
    string Name,
    Guid CategoryId,
    string Status,
    long? MinPrice,
    long? MaxPrice,
    long Available,
    string? ImageUrl,
    long Popularity,
    DateTimeOffset CreatedAt,
    string Currency);

public sealed record ProductPage(IReadOnlyList<ProductSummary> Items, int Page, int PageSize, long Total);

/// <summary>The shop's product listing: filter by category (with its sub-categories), price range,
/// availability and text; sort; page. Customers see active products only; admins may ask for a
/// <c>status</c> (draft, active, hidden or all).</summary>
public static class BrowseProducts
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;
    public const int MaxQueryLength = 200;

    // Price sorts use the "from" price (cheapest active SKU), the one a listing shows first.
    private static readonly Dictionary<string, string> Orderings = new()
    {
        ["newest"] = "created_at DESC, id DESC",
        ["price_asc"] = "min_price ASC NULLS LAST, id DESC",
        ["price_desc"] = "min_price DESC NULLS LAST, id DESC",
        ["popularity"] = "popularity DESC, id DESC",
        ["relevance"] = "rank DESC, popularity DESC, id DESC",
    };

    public static async Task<Results<Ok<ProductPage>, ValidationProblem>> HandleAsync(
        [AsParameters] BrowseProductsQuery query, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = ParseInt(errors, "page", query.Page, 1, 1, int.MaxValue);
        var pageSize = ParseInt(errors, "pageSize", query.PageSize, DefaultPageSize, 1, MaxPageSize);
        var minPrice = ParseLong(errors, "minPrice", query.MinPrice);
        var maxPrice = ParseLong(errors, "maxPrice", query.MaxPrice);
        if (minPrice is not null && maxPrice is not null && minPrice > maxPrice)
            errors.Add("maxPrice", "The maximum price must not be below the minimum price.");
        Guid? categoryId = null;
        if (!string.IsNullOrWhiteSpace(query.CategoryId))
        {
            if (Guid.TryParse(query.CategoryId, out var parsed)) categoryId = parsed;
            else errors.Add("categoryId", "The category id must be a UUID.");
        }
        var inStock = false;
        if (!string.IsNullOrWhiteSpace(query.InStock) && !bool.TryParse(query.InStock, out inStock))
            errors.Add("inStock", "inStock must be true or false.");
        var text = string.IsNullOrWhiteSpace(query.Q) ? null : query.Q.Trim();
        if (text is { Length: > MaxQueryLength }) errors.Add("q", $"The search text must be at most {MaxQueryLength} characters.");
        var sort = string.IsNullOrWhiteSpace(query.Sort) ? (text is null ? "newest" : "relevance") : query.Sort.Trim().ToLowerInvariant();
        if (!Orderings.ContainsKey(sort)) errors.Add("sort", $"The sort must be one of: {string.Join(", ", Orderings.Keys)}.");
        var status = ProductStatus.Active;
        if (user.IsAdmin() && !string.IsNullOrWhiteSpace(query.Status))
        {
            status = query.Status.Trim().ToLowerInvariant();
            if (status != "all" && !ProductStatus.All.Contains(status))
                errors.Add("status", $"The status must be one of: {string.Join(", ", ProductStatus.All)}, all.");
        }
        if (!errors.IsEmpty) return errors.ToProblem();

        var parameters = new DynamicParameters();
        var where = new List<string>();
        if (status != "all")
        {
            where.Add("p.status = @status");
            parameters.Add("status", status);
        }
        if (categoryId is not null)
        {
            where.Add("p.category_id IN (SELECT id FROM subtree)");
            parameters.Add("categoryId", categoryId);
        }
        if (minPrice is not null || maxPrice is not null)
        {
            where.Add("""
                EXISTS (SELECT 1 FROM skus ps WHERE ps.product_id = p.id AND ps.status = 'active'
                        AND ps.price >= @minPrice AND ps.price <= @maxPrice)
                """);
            parameters.Add("minPrice", minPrice ?? 0);
            parameters.Add("maxPrice", maxPrice ?? long.MaxValue);
        }
        if (inStock) where.Add("agg.available > 0");
        var rank = "0::real";
        if (text is not null)
        {
            // Prefix terms ("sneak:*") let a partial word match by full text; ILIKE and trigram word
            // similarity catch what the parser splits differently (e.g. Korean with particles) and typos.
            var terms = PrefixTerms(text);
            var fullText = terms is null ? "false" : "p.search_vector @@ to_tsquery('english', @terms)";
            where.Add($"({fullText} OR p.search_text ILIKE @pattern OR @text <% p.name)");
            rank = terms is null
                ? "word_similarity(@text, p.name)"
                : "ts_rank_cd(p.search_vector, to_tsquery('english', @terms)) + word_similarity(@text, p.name)";
            parameters.Add("text", text);
            parameters.Add("terms", terms);
            parameters.Add("pattern", "%" + EscapeLike(text) + "%");
        }
        parameters.Add("limit", pageSize);
        parameters.Add("offset", (long)(page - 1) * pageSize);

        var subtree = categoryId is null ? "" : """
            subtree AS (
                SELECT id FROM categories WHERE id = @categoryId
                UNION ALL
                SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id
            ),
            """;
        var matching = $"""
            WITH RECURSIVE {subtree}
            matching AS (
                SELECT p.id, p.name, p.category_id, p.status, agg.min_price, agg.max_price, agg.available,
                       p.image_urls[1] AS image_url, p.popularity, p.created_at, {rank} AS rank
                FROM products p
                CROSS JOIN LATERAL (
                    SELECT min(s.price) AS min_price, max(s.price) AS max_price,
                           COALESCE(sum(GREATEST(COALESCE(a.available, 0), 0)), 0)::bigint AS available
                    FROM skus s LEFT JOIN sku_availability a ON a.sku_id = s.id
                    WHERE s.product_id = p.id AND s.status = 'active'
                ) agg
                {(where.Count == 0 ? "" : "WHERE " + string.Join("\n  AND ", where))}
            )
            """;
        var sql = $"""
            {matching}
            SELECT count(*) FROM matching;
            {matching}
            SELECT id, name, category_id, status, min_price, max_price, available, image_url, popularity, created_at, '{Currency.Krw}' AS currency
            FROM matching
            ORDER BY {Orderings[sort]}
            LIMIT @limit OFFSET @offset;
            """;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var reader = await connection.QueryMultipleAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        var total = await reader.ReadSingleAsync<long>();
        var items = (await reader.ReadAsync<ProductSummary>()).ToList();
        return TypedResults.Ok(new ProductPage(items, page, pageSize, total));
    }

    /// <summary>"nike sneak" -> "nike:* &amp; sneak:*": words of letters and digits only, so the text
    /// can never break tsquery syntax. Null when the text has no word.</summary>
    private static string? PrefixTerms(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c)) word.Append(c);
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        return words.Count == 0 ? null : string.Join(" & ", words.Take(10).Select(w => w + ":*"));
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private static int ParseInt(FieldErrors errors, string field, string? value, int fallback, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
            return parsed;
        errors.Add(field, max == int.MaxValue ? $"{field} must be an integer of at least {min}." : $"{field} must be an integer from {min} to {max}.");
        return fallback;
    }

    private static long? ParseLong(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0) return parsed;
        errors.Add(field, $"{field} must be a whole number of won, 0 or more.");
        return null;
    }
}
