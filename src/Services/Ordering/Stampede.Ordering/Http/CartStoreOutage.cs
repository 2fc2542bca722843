using StackExchange.Redis;

namespace Stampede.Ordering.Http;

/// <summary>Answers 503 instead of 500 when Redis, where carts live, is unreachable or too slow.</summary>
public sealed class CartStoreOutage(ILogger<CartStoreOutage> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            logger.LogWarning("Cart store unavailable on {Path}: {Error}", context.HttpContext.Request.Path, ex.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cart unavailable",
                detail: "Carts cannot be reached right now; try again shortly.");
        }
    }
}
