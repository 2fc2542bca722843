using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stampede.Catalog.Products;

namespace Stampede.Catalog.Caching;

/// <summary>Product details in Redis, one key per product. Every entry carries the product's
/// version; invalidation leaves a short-lived tombstone with the new version, and a fill with an
/// older version is refused. That closes the race where a reader loads the old row, a writer
/// commits and invalidates, and the reader then caches the old row for a whole TTL.</summary>
public sealed class ProductDetailCache(IConnectionMultiplexer redis, CatalogSettings settings, ILogger<ProductDetailCache> logger)
{
    // Value layout: "{version}|{json}"; a tombstone has no json.
    private const string StoreIfNotOlderScript = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local separator = string.find(current, '|', 1, true)
          if separator and tonumber(string.sub(current, 1, separator - 1)) > tonumber(ARGV[1]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
        return 1
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string KeyOf(Guid productId) => $"catalog:product:{productId:N}";

    /// <summary>The cached detail, or null on a miss, a tombstone or an unreachable Redis (the caller
    /// then reads the database).</summary>
    public async Task<ProductDetail?> TryGetAsync(Guid productId)
    {
        try
        {
            string? value = await redis.GetDatabase().StringGetAsync(KeyOf(productId));
            if (value is null) return null;
            var separator = value.IndexOf('|', StringComparison.Ordinal);
            return separator < 0 || separator == value.Length - 1
                ? null
                : JsonSerializer.Deserialize<ProductDetail>(value.AsSpan(separator + 1), Json);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            logger.LogWarning("Product detail cache read failed for {ProductId}: {Error}", productId, ex.Message);
            return null;
        }
    }

    /// <summary>Caches <paramref name="detail"/> loaded at <paramref name="version"/>, unless the
    /// entry was already invalidated at a newer version. Failures only cost a later miss.</summary>
    public async Task FillAsync(ProductDetail detail, long version)
    {
        try
        {
            await StoreAsync(detail.Id, version, JsonSerializer.Serialize(detail, Json), settings.DetailCacheTtl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Product detail cache fill failed for {ProductId}: {Error}", detail.Id, ex.Message);
        }
    }

    /// <summary>Marks the entry stale as of <paramref name="version"/>. Throws when Redis cannot be
    /// reached, so event handlers retry; writers that already committed log and rely on the
    /// ProductChanged event to invalidate again.</summary>
    public Task InvalidateAsync(Guid productId, long version) =>
        StoreAsync(productId, version, "", settings.DetailCacheTombstoneTtl);

    /// <summary>Invalidation after a commit: a failure is logged, not thrown, because the change is
    /// already made and its ProductChanged event invalidates again when it is handled.</summary>
    public async Task TryInvalidateAsync(Guid productId, long version)
    {
        try
        {
            await InvalidateAsync(productId, version);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Product detail cache invalidation failed for {ProductId}: {Error}", productId, ex.Message);
        }
    }

    private Task StoreAsync(Guid productId, long version, string json, TimeSpan ttl) =>
        redis.GetDatabase().ScriptEvaluateAsync(StoreIfNotOlderScript, [KeyOf(productId)],
            [version, json, Math.Max(1, (long)ttl.TotalSeconds)]);
}
