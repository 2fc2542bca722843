using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using StackExchange.Redis;
using Stampede.Gateway.Forwarding;
using Stampede.ServiceDefaults.Auth;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Gateway.RateLimiting;

/// <summary>A number of requests allowed per window; <c>Permits</c> of 0 turns the limit off.</summary>
public sealed record RateLimit
{
    public int Permits { get; init; }
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Rate limits (section <c>Gateway:RateLimits</c>), shared by every gateway instance
/// through Redis.</summary>
public sealed record RateLimitSettings
{
    public const string Section = "Gateway:RateLimits";
    public RateLimit PerIp { get; init; } = new() { Permits = 100, Window = TimeSpan.FromSeconds(1) };
    public RateLimit PerUser { get; init; } = new() { Permits = 50, Window = TimeSpan.FromSeconds(1) };
    /// <summary>Prefix of the counter keys; instances that should share limits use the same one.</summary>
    public string KeyPrefix { get; init; } = "gateway:ratelimit";
    /// <summary>How long a request waits for Redis before it is let through unlimited.</summary>
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Per-IP (an IPv6 caller per /64) and per-user (token <c>sub</c>) limits on forwarded requests, answered with 429
/// and <c>Retry-After</c>. Counting is a sliding-window counter in one Lua script, so every
/// gateway instance sees the same counts. When Redis is down the gateway lets requests through
/// (and logs): losing the limiter must not take the shop down.</summary>
public sealed class RedisRateLimiter(
    IConnectionMultiplexer redis, RateLimitSettings settings, IProblemDetailsService problems, ILogger<RedisRateLimiter> logger) : IMiddleware
{
    // For each key: the current fixed window's count plus the previous window's count weighted by
    // how much of it the sliding window still covers. A refused request is not counted, so a
    // client that keeps hammering is not locked out for longer. The window index comes from the
    // Redis clock, so instances with skewed clocks still agree.
    // KEYS[i]: counter base key; ARGV[2i-1]: permits; ARGV[2i]: window in ms.
    // Returns {0, 0} when allowed, else {i, milliseconds until a permit frees up}.
    private const string SlidingWindowScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local counters = {}
        for i = 1, #KEYS do
          local permits = tonumber(ARGV[2 * i - 1])
          local window = tonumber(ARGV[2 * i])
          local index = math.floor(now / window)
          local current_key = KEYS[i] .. ':' .. index
          local current = tonumber(redis.call('GET', current_key) or '0')
          local previous = tonumber(redis.call('GET', KEYS[i] .. ':' .. (index - 1)) or '0')
          local into = now - index * window
          local weight = (window - into) / window
          if previous * weight + current + 1 > permits then
            local wait
            if current + 1 > permits then
              -- this window is full: wait for the next one and for enough of this one to slide out
              wait = (window - into) + math.ceil((1 - (permits - 1) / current) * window)
            else
              -- the previous window's share must shrink enough for one more
              wait = math.ceil((weight - (permits - current - 1) / previous) * window)
            end
            return {i, math.max(wait, 1)}
          end
          counters[i] = current_key
        end
        for i = 1, #KEYS do
          redis.call('INCR', counters[i])
          redis.call('PEXPIRE', counters[i], tonumber(ARGV[2 * i]) * 2)
        end
        return {0, 0}
        """;

    private const long OutageLogIntervalMs = 10_000;
    private long lastOutageLog = -OutageLogIntervalMs;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ForwardedRouteMetadata>() is null)
        {
            await next(context);
            return;
        }
        var refusal = await CheckAsync(ClientNetwork.Of(context.Connection.RemoteIpAddress), context.User.FindFirstValue(StampedeClaims.UserId));
        if (refusal is null)
        {
            await next(context);
            return;
        }
        var (scope, retryAfter) = refusal.Value;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Too many requests {scope}; retry after the time in Retry-After.",
            },
        });
    }

    /// <summary>Counts one request against the caller's limits; null when it may go through.</summary>
    /// <param name="clientNetwork">The peer's IPv4 address or IPv6 /64 (<see cref="ClientNetwork.Of"/>).</param>
    public async Task<(string Scope, TimeSpan RetryAfter)?> CheckAsync(string clientNetwork, string? userId)
    {
        var limits = new List<(string Scope, string Key, RateLimit Limit)>(2);
        if (settings.PerIp.Permits > 0) limits.Add(("from this address", $"{settings.KeyPrefix}:ip:{clientNetwork}", settings.PerIp));
        if (settings.PerUser.Permits > 0 && !string.IsNullOrEmpty(userId)) limits.Add(("for this user", $"{settings.KeyPrefix}:user:{userId}", settings.PerUser));
        if (limits.Count == 0) return null;

        var keys = limits.Select(l => (RedisKey)l.Key).ToArray();
        var values = limits.SelectMany(l => new RedisValue[] { l.Limit.Permits, (long)Math.Max(1, l.Limit.Window.TotalMilliseconds) }).ToArray();
        try
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(SlidingWindowScript, keys, values).WaitAsync(settings.RedisTimeout))!;
            var refused = (int)result[0];
            return refused == 0 ? null : (limits[refused - 1].Scope, TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Once per interval, not once per request: an outage must not flood the log.
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref lastOutageLog);
            if (now - last >= OutageLogIntervalMs && Interlocked.CompareExchange(ref lastOutageLog, now, last) == last)
                logger.LogWarning("Rate limits not enforced: Redis did not answer ({Error}: {Message})", ex.GetType().Name, ex.Message);
            return null;
        }
    }

}
