using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Ordering.Carts;
using Stampede.Ordering.Http;
using Stampede.Ordering.Persistence;
using Stampede.Ordering.Pricing;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Orders;

/// <summary>A line as the client asks for it. Anything price-like the client sends is not even read.</summary>
public sealed record PlaceOrderLine(Guid? SkuId, int? Quantity);

/// <summary>Either explicit <see cref="Lines"/> or <c>FromCart: true</c>.</summary>
public sealed record PlaceOrderRequest(IReadOnlyList<PlaceOrderLine?>? Lines, bool? FromCart);

public sealed record PlacedOrder(Guid OrderId, string OrderNumber, string Status, long Total, string Currency, string? PaymentUrl);

public sealed record PlaceOrderServices(
    NpgsqlDataSource Database, OrderStore Orders, CartStore Carts, CatalogPrices Catalog, TimeProvider Time,
    IOptions<OrderingSettings> Settings, ILogger<PlaceOrderServices> Logger);

/// <summary>POST /orders: prices the lines with catalog, writes the order (AwaitingStock), its history,
/// its idempotency key and OrderPlaced in one transaction. The same Idempotency-Key with the same body
/// answers the first order again (200); with another body, 422.</summary>
public static class PlaceOrder
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 100;
    public const int MaxLines = 50;

    public static async Task<Results<Created<PlacedOrder>, Ok<PlacedOrder>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, PlaceOrderRequest? request, ClaimsPrincipal user,
        [AsParameters] PlaceOrderServices services, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = Validate(idempotencyKey, request);
        if (!errors.IsEmpty) return errors.ToProblem();

        var userId = user.UserId();
        var key = idempotencyKey!;
        var fromCart = request!.FromCart == true;
        var requestHash = Hash(request);
        if (await FindByKeyAsync(services.Database, userId, key, cancellationToken) is { } earlier)
            return Replay(earlier, requestHash, response);

        List<CartLine> wanted = fromCart ? [.. await services.Carts.GetAsync(userId)] : Merge(request.Lines!, errors);
        if (fromCart && wanted.Count == 0) errors.Add("fromCart", "The cart is empty.");
        if (!errors.IsEmpty) return errors.ToProblem();

        IReadOnlyList<OrderItem> items;
        string currency;
        try
        {
            var prices = await services.Catalog.GetAsync([.. wanted.Select(line => line.SkuId)], cancellationToken);
            (items, currency) = Price(wanted, prices, fromCart, request.Lines, errors);
        }
        catch (CatalogUnavailableException)
        {
            return Problems.CatalogUnavailable();
        }

        if (!errors.IsEmpty) return errors.ToProblem();

        var now = services.Time.GetUtcNow();
        var orderId = Guid.CreateVersion7(now);
        await using var connection = await services.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The key row goes first: a concurrent request with the same key blocks on it until this
        // transaction ends, then finds the key taken and answers with this order.
        var claimed = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_idempotency_keys (user_id, key, request_hash, order_id, created_at)
            VALUES (@userId, @key, @requestHash, @orderId, @now)
            ON CONFLICT (user_id, key) DO NOTHING
            """, new { userId, key, requestHash, orderId, now }, transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var winner = await FindByKeyAsync(services.Database, userId, key, cancellationToken)
                         ?? throw new InvalidOperationException("The idempotency key is taken but names no order.");
            return Replay(winner, requestHash, response);
        }

        var sequence = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT nextval('order_number_seq')", transaction: transaction, cancellationToken: cancellationToken));
        var order = Order.Place(orderId, $"ORD-{now:yyyyMMdd}-{sequence:D6}", userId, items, currency, now,
            services.Settings.Value.PaymentDeadline);
        await services.Orders.InsertAsync(order, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (fromCart) await RemoveOrderedFromCartAsync(services, userId, wanted);
        // Relative, so it resolves right both on the service (/orders) and behind the gateway (/api/ordering/orders).
        return TypedResults.Created($"orders/{order.Id}",
            new PlacedOrder(order.Id, order.OrderNumber, order.Status.ToString(), order.Total, order.Currency, order.PaymentUrl));
    }

    private static FieldErrors Validate(string? idempotencyKey, PlaceOrderRequest? request)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxIdempotencyKeyLength)
            errors.Add(IdempotencyKeyHeader, $"The {IdempotencyKeyHeader} header is required: 1 to {MaxIdempotencyKeyLength} characters naming this attempt.");

        var fromCart = request?.FromCart == true;
        if (fromCart && request!.Lines is not null)
        {
            errors.Add("fromCart", "Send either lines or fromCart: true, not both.");
        }
        else if (!fromCart && request?.Lines is null)
        {
            errors.Add("lines", "Send the lines to order, or fromCart: true.");
        }
        else if (!fromCart)
        {
            var lines = request!.Lines!;
            if (lines.Count == 0) errors.Add("lines", "An order needs at least one line.");
            if (lines.Count > MaxLines) errors.Add("lines", $"An order has at most {MaxLines} lines.");
            for (var i = 0; i < lines.Count && i < MaxLines; i++)
            {
                if (lines[i] is not { } line)
                {
                    errors.Add($"lines[{i}]", "A line needs a skuId and a quantity.");
                    continue;
                }

                if (line.SkuId is null || line.SkuId == Guid.Empty) errors.Add($"lines[{i}].skuId", "The SKU id is required.");
                if (line.Quantity is not (>= SetCartItem.MinQuantity and <= SetCartItem.MaxQuantity))
                    errors.Add($"lines[{i}].quantity", $"The quantity must be between {SetCartItem.MinQuantity} and {SetCartItem.MaxQuantity}.");
            }
        }

        return errors;
    }

    /// <summary>Lines naming one SKU twice become one line; the sum must stay within the quantity limit.</summary>
    private static List<CartLine> Merge(IReadOnlyList<PlaceOrderLine?> lines, FieldErrors errors)
    {
        var merged = new List<CartLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i]!;
            var index = merged.FindIndex(existing => existing.SkuId == line.SkuId);
            if (index < 0)
            {
                merged.Add(new CartLine(line.SkuId!.Value, line.Quantity!.Value));
                continue;
            }

            merged[index] = merged[index] with { Quantity = merged[index].Quantity + line.Quantity!.Value };
            if (merged[index].Quantity > SetCartItem.MaxQuantity)
                errors.Add($"lines[{i}].quantity", $"SKU {line.SkuId} adds up to more than {SetCartItem.MaxQuantity} over its lines.");
        }

        return merged;
    }

    private static (IReadOnlyList<OrderItem> Items, string Currency) Price(
        IReadOnlyList<CartLine> wanted, IReadOnlyDictionary<Guid, SkuPrice> prices, bool fromCart,
        IReadOnlyList<PlaceOrderLine?>? requested, FieldErrors errors)
    {
        string Field(Guid skuId) => fromCart
            ? "fromCart"
            : $"lines[{requested!.ToList().FindIndex(line => line!.SkuId == skuId)}].skuId";

        var items = new List<OrderItem>();
        foreach (var line in wanted)
        {
            if (!prices.TryGetValue(line.SkuId, out var price))
                errors.Add(Field(line.SkuId), $"SKU {line.SkuId} does not exist.");
            else if (!price.Sellable)
                errors.Add(Field(line.SkuId), $"SKU {line.SkuId} is not for sale.");
            else
                items.Add(new OrderItem(line.SkuId, price.ProductName, price.OptionsLabel, line.Quantity, price.Price));
        }

        var currencies = wanted.Where(line => prices.ContainsKey(line.SkuId)).Select(line => prices[line.SkuId].Currency).Distinct().ToList();
        if (currencies.Count > 1) errors.Add(fromCart ? "fromCart" : "lines", "All lines of an order must be priced in one currency.");
        return (items, currencies.FirstOrDefault() ?? "KRW");
    }

    /// <summary>What "the same body" means: the same lines in the same order, or the cart.</summary>
    private static string Hash(PlaceOrderRequest request)
    {
        var canonical = request.FromCart == true
            ? "cart"
            : "lines:" + string.Join(';', request.Lines!.Select(line => $"{line!.SkuId:N}x{line.Quantity}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static Results<Created<PlacedOrder>, Ok<PlacedOrder>, ValidationProblem, ProblemHttpResult> Replay(
        KeyedOrder earlier, string requestHash, HttpResponse response)
    {
        if (earlier.RequestHash != requestHash)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused",
                detail: $"This {IdempotencyKeyHeader} was already used for a different order request; use a new key for a new order.",
                extensions: new Dictionary<string, object?> { ["orderId"] = earlier.Id });
        }

        response.Headers.Location = $"orders/{earlier.Id}";
        return TypedResults.Ok(new PlacedOrder(earlier.Id, earlier.OrderNumber, earlier.Status, earlier.Total, earlier.Currency, earlier.PaymentUrl));
    }

    private static async Task<KeyedOrder?> FindByKeyAsync(NpgsqlDataSource database, Guid userId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<KeyedOrder>(new CommandDefinition("""
            SELECT k.request_hash, o.id, o.order_number, o.status, o.total, o.currency, o.payment_url
            FROM order_idempotency_keys k JOIN orders o ON o.id = k.order_id
            WHERE k.user_id = @userId AND k.key = @key
            """, new { userId, key }, cancellationToken: cancellationToken));
    }

    private static async Task RemoveOrderedFromCartAsync(PlaceOrderServices services, Guid userId, IReadOnlyList<CartLine> ordered)
    {
        try
        {
            await services.Carts.RemoveOrderedAsync(userId, ordered);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The order stands; a cart left behind is only an inconvenience.
            services.Logger.LogWarning("Order placed but the cart of {UserId} could not be cleared: {Error}", userId, ex.Message);
        }
    }

    private sealed class KeyedOrder
    {
        public string RequestHash { get; init; } = "";
        public Guid Id { get; init; }
        public string OrderNumber { get; init; } = "";
        public string Status { get; init; } = "";
        public long Total { get; init; }
        public string Currency { get; init; } = "";
        public string? PaymentUrl { get; init; }
    }
}
