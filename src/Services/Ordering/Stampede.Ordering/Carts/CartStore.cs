using StackExchange.Redis;

namespace Stampede.Ordering.Carts;

/// <summary>One line of a stored cart: only the SKU and the quantity; prices are looked up when read.</summary>
public sealed record CartLine(Guid SkuId, int Quantity);

/// <summary>A user's cart in Redis: a hash <c>ordering:cart:{userId}</c> of skuId → quantity that
/// expires 30 days after its last change.</summary>
public sealed class CartStore(IConnectionMultiplexer redis)
{
    public const int MaxLines = 50;
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    // Checked and written in one script so two concurrent adds cannot push a cart past the limit.
    private const string SetLineScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
            return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    private const string RemoveLineScript = """
        local removed = redis.call('HDEL', KEYS[1], ARGV[1])
        if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
        return removed
        """;

    // Takes off only what an order bought: a line added or raised after the cart was read stays.
    private const string RemoveOrderedScript = """
        for i = 1, #ARGV - 1, 2 do
            local left = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') - tonumber(ARGV[i + 1])
            if left > 0 then redis.call('HSET', KEYS[1], ARGV[i], left) else redis.call('HDEL', KEYS[1], ARGV[i]) end
        end
        if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[#ARGV]) end
        return 1
        """;

    public async Task<IReadOnlyList<CartLine>> GetAsync(Guid userId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(Key(userId));
        return [.. entries
            .Select(entry => (Parsed: Guid.TryParse((string?)entry.Name, out var skuId), SkuId: skuId, Quantity: (int)entry.Value))
            .Where(entry => entry.Parsed)
            .Select(entry => new CartLine(entry.SkuId, entry.Quantity))];
    }

    /// <summary>Sets the quantity of a line; false when the line is new and the cart is full.</summary>
    public async Task<bool> SetAsync(Guid userId, Guid skuId, int quantity)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(SetLineScript, [Key(userId)],
            [skuId.ToString(), quantity, MaxLines, (long)Lifetime.TotalSeconds]);
        return (int)result == 1;
    }

    public async Task<bool> RemoveAsync(Guid userId, Guid skuId)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(RemoveLineScript, [Key(userId)],
            [skuId.ToString(), (long)Lifetime.TotalSeconds]);
        return (int)result == 1;
    }

    public Task ClearAsync(Guid userId) => redis.GetDatabase().KeyDeleteAsync(Key(userId));

    /// <summary>Lowers each line by the quantity ordered (removing it at zero), in one step.</summary>
    public Task RemoveOrderedAsync(Guid userId, IReadOnlyList<CartLine> ordered) =>
        redis.GetDatabase().ScriptEvaluateAsync(RemoveOrderedScript, [Key(userId)],
            [.. ordered.SelectMany(line => new RedisValue[] { line.SkuId.ToString(), line.Quantity }), (long)Lifetime.TotalSeconds]);

    public static string Key(Guid userId) => $"ordering:cart:{userId}";
}
