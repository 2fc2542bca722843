using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Stampede.Cli.Api;

/// <summary>The public API as a customer or an admin sees it through the gateway, plus the PG's
/// buyer endpoints. One instance per logged-in account; instances share one <see cref="HttpClient"/>
/// and one <see cref="ApiStatistics"/>.</summary>
public sealed class StampedeApi(HttpClient http, ApiStatistics statistics)
{
    private const int MaxRateLimitRetries = 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string? accessToken;

    public ApiStatistics Statistics => statistics;

    /// <summary>A client for <paramref name="gatewayUrl"/> with enough connections for a bench.</summary>
    public static HttpClient CreateHttpClient(string gatewayUrl) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = new Uri(gatewayUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Another account on the same connection pool.</summary>
    public StampedeApi Fork() => new(http, statistics);

    /// <summary>The same account, counted in <paramref name="other"/>.</summary>
    public StampedeApi WithStatistics(ApiStatistics other) => new(http, other) { accessToken = accessToken };

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("health/ready", ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task LoginAsync(string email, string password, CancellationToken ct)
    {
        var tokens = await SendAsync<TokenPair>(HttpMethod.Post, "api/identity/tokens", new { email, password }, ct);
        accessToken = tokens.AccessToken;
    }

    /// <summary>Whether the logged-in account's token says its email is verified.</summary>
    public bool TokenSaysEmailVerified()
    {
        var parts = accessToken?.Split('.') ?? [];
        if (parts.Length < 2) return false;
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
        return claims.RootElement.TryGetProperty("email_verified", out var verified)
            && (verified.ValueKind == JsonValueKind.True || (verified.ValueKind == JsonValueKind.String && verified.GetString() == "true"));
    }

    /// <summary>Registers a customer; false when the email is already registered.</summary>
    public async Task<bool> RegisterAsync(string email, string password, string name, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/identity/users", new { email, password, name }, null, ct);
        if (response.StatusCode == HttpStatusCode.Conflict) return false;
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>Admin: the newest verification code sent to <paramref name="email"/>, if any.</summary>
    public async Task<string?> ReadVerificationCodeAsync(string email, CancellationToken ct)
    {
        var mails = await SendAsync<List<DevMail>>(HttpMethod.Get, $"api/identity/dev/mailbox?email={Uri.EscapeDataString(email)}", null, ct);
        return mails.FirstOrDefault()?.Code;
    }

    public Task VerifyEmailAsync(string email, string code, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/identity/users/verification", new { email, code }, ct);

    public Task ResendVerificationCodeAsync(string email, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/identity/users/verification/resend", new { email }, ct);

    /// <summary>Admin: fills an empty catalog with demo products; answers the SKU ids either way.</summary>
    public Task<DemoCatalog> SeedDemoCatalogAsync(int products, int seed, CancellationToken ct) =>
        SendAsync<DemoCatalog>(HttpMethod.Post, "api/catalog/admin/demo-data", new { products, seed }, ct);

    /// <summary>Admin: sets on-hand units of many SKUs in one transaction.</summary>
    public Task SetStockAsync(IReadOnlyList<StockTarget> items, string reason, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "api/inventory/admin/stock/bulk", new { items, reason }, ct);

    /// <summary>Admin: one SKU's stock, or null when inventory has never heard of it.</summary>
    public async Task<StockView?> FindStockAsync(Guid skuId, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"api/inventory/stock/{skuId}", null, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<StockView>(response, ct);
    }

    public async Task<StockView> GetStockAsync(Guid skuId, CancellationToken ct) =>
        await FindStockAsync(skuId, ct) ?? throw new ApiException($"Inventory has no stock for SKU {skuId}.");

    public Task<ProductPage> BrowseAsync(string query, CancellationToken ct) =>
        SendAsync<ProductPage>(HttpMethod.Get, $"api/catalog/products?{query}", null, ct);

    public Task<ProductDetail> GetProductAsync(Guid id, CancellationToken ct) =>
        SendAsync<ProductDetail>(HttpMethod.Get, $"api/catalog/products/{id}", null, ct);

    public Task SetCartItemAsync(Guid skuId, int quantity, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, $"api/ordering/cart/items/{skuId}", new { quantity }, ct);

    public Task<CartView> GetCartAsync(CancellationToken ct) => SendAsync<CartView>(HttpMethod.Get, "api/ordering/cart", null, ct);

    public Task<PlacedOrder> PlaceOrderFromCartAsync(string idempotencyKey, CancellationToken ct) =>
        PlaceOrderAsync(idempotencyKey, new { fromCart = true }, ct);

    public Task<PlacedOrder> PlaceOrderAsync(string idempotencyKey, IReadOnlyList<OrderLine> lines, CancellationToken ct) =>
        PlaceOrderAsync(idempotencyKey, new { lines }, ct);

    private async Task<PlacedOrder> PlaceOrderAsync(string idempotencyKey, object body, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/ordering/orders", body,
            request => request.Headers.Add("Idempotency-Key", idempotencyKey), ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<PlacedOrder>(response, ct);
    }

    public Task<OrderDetails> GetOrderAsync(Guid orderId, CancellationToken ct) =>
        SendAsync<OrderDetails>(HttpMethod.Get, $"api/ordering/orders/{orderId}", null, ct);

    public Task CancelOrderAsync(Guid orderId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"api/ordering/orders/{orderId}/cancel", null, ct);

    public Task<PaymentDetails> GetPaymentAsync(Guid orderId, CancellationToken ct) =>
        SendAsync<PaymentDetails>(HttpMethod.Get, $"api/payment/payments/orders/{orderId}", null, ct);

    /// <summary>Plays the buyer approving at the PG's checkout page; answers where the PG sends the browser back.</summary>
    public async Task<string> ApproveAtPgAsync(string paymentUrl, CancellationToken ct)
    {
        var answer = await SendAsync<CheckoutAnswer>(HttpMethod.Post, paymentUrl.TrimEnd('/') + "/approve", null, ct, authorize: false);
        return answer.RedirectUrl;
    }

    /// <summary>Follows the PG's redirect back to the shop (the payment service, through the gateway).</summary>
    public Task<PaymentReturn> ReturnFromPgAsync(string redirectUrl, CancellationToken ct) =>
        SendAsync<PaymentReturn>(HttpMethod.Get, redirectUrl, null, ct, authorize: false);

    public Task<OrderingAudit> AuditOrdersAsync(TimeSpan grace, CancellationToken ct) =>
        SendAsync<OrderingAudit>(HttpMethod.Get, $"api/ordering/admin/audit?graceSeconds={(int)grace.TotalSeconds}", null, ct);

    public Task<PaymentAudit> AuditPaymentsAsync(CancellationToken ct) => SendAsync<PaymentAudit>(HttpMethod.Get, "api/payment/admin/audit", null, ct);

    public Task<InventoryAudit> AuditStockAsync(CancellationToken ct) => SendAsync<InventoryAudit>(HttpMethod.Get, "api/inventory/admin/audit", null, ct);

    public Task<List<ReservationState>> ReservationsOfAsync(IReadOnlyList<Guid> orderIds, CancellationToken ct) =>
        SendAsync<List<ReservationState>>(HttpMethod.Post, "api/inventory/admin/audit/reservations", new { orderIds }, ct);

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, null, ct);
        await EnsureSuccessAsync(response, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, bool authorize = true)
    {
        using var response = await SendRawAsync(method, path, body, null, ct, authorize);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<T>(response, ct);
    }

    /// <summary>Sends, waiting out the gateway's rate limits (counted, never hidden) before giving up.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, object? body, Action<HttpRequestMessage>? configure, CancellationToken ct, bool authorize = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (authorize && accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            if (body is not null) request.Content = JsonContent.Create(body, options: Json);
            configure?.Invoke(request);

            statistics.CountRequest();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex)
            {
                throw new ApiException($"{method} {Describe(path)}: {ex.Message}");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ApiException($"{method} {Describe(path)}: no answer within {http.Timeout.TotalSeconds:0} s.");
            }

            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= MaxRateLimitRetries) return response;

            var detail = await response.Content.ReadAsStringAsync(ct);
            statistics.CountRateLimited(perUser: detail.Contains("for this user", StringComparison.OrdinalIgnoreCase));
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200);
            response.Dispose();
            // Spread the retries so a crowd of bench customers does not come back in lockstep.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds, 1000) + Random.Shared.Next(0, 100)), ct);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(ct);
        throw new ApiException(
            $"{response.RequestMessage?.Method} {Describe(response.RequestMessage?.RequestUri?.ToString() ?? "")} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Summarise(text)}",
            response.StatusCode);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(Json, ct)
        ?? throw new ApiException($"{response.RequestMessage?.RequestUri} answered an empty body.");

    private static string Describe(string path) => path.Split('?')[0];

    /// <summary>The title, detail and field errors of a problem, or the start of any other body.</summary>
    private static string Summarise(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var text = new StringBuilder();
            foreach (var name in new[] { "title", "detail" })
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) text.Append(value.GetString()).Append(' ');
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in errors.EnumerateObject()) text.Append($"[{field.Name}: {field.Value}] ");
            }

            return text.Length > 0 ? text.ToString().Trim() : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] + "..." : body;
        }
    }
}

/// <summary>A call that failed; the message names the call and what it answered.</summary>
public sealed class ApiException(string message, HttpStatusCode? status = null) : UserFacingException(message)
{
    public HttpStatusCode? Status => status;
}

/// <summary>Requests and rate-limit refusals, shared by every account of a run.</summary>
public sealed class ApiStatistics
{
    private long requests;
    private long limitedPerIp;
    private long limitedPerUser;

    public long Requests => Interlocked.Read(ref requests);

    public long RateLimitedPerIp => Interlocked.Read(ref limitedPerIp);

    public long RateLimitedPerUser => Interlocked.Read(ref limitedPerUser);

    public void CountRequest() => Interlocked.Increment(ref requests);

    public void CountRateLimited(bool perUser) => Interlocked.Increment(ref perUser ? ref limitedPerUser : ref limitedPerIp);
}

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record DevMail(string Email, string Code, DateTimeOffset ExpiresAt, DateTimeOffset SentAt);

public sealed record DemoCatalog(bool Created, int Products, IReadOnlyList<Guid> SkuIds);

public sealed record StockTarget(Guid SkuId, long OnHand);

public sealed record StockView(Guid SkuId, long OnHand, long Reserved, long Available, long Version);

public sealed record ProductSummary(Guid Id, string Name, long? MinPrice, long? MaxPrice, long Available, long Popularity, string Currency);

public sealed record ProductPage(IReadOnlyList<ProductSummary> Items, int Page, int PageSize, long Total);

public sealed record SkuView(Guid Id, string OptionsLabel, long Price, long Available, string Status);

public sealed record ProductDetail(Guid Id, string Name, string Status, IReadOnlyList<SkuView> Skus, string Currency);

public sealed record CartItem(Guid SkuId, int Quantity, long UnitPrice, long LineTotal, string? ProductName, string? OptionsLabel, bool Sellable);

public sealed record CartView(IReadOnlyList<CartItem> Items, long Total, string Currency);

public sealed record OrderLine(Guid SkuId, int Quantity);

public sealed record PlacedOrder(Guid OrderId, string OrderNumber, string Status, long Total, string Currency, string? PaymentUrl);

public sealed record StatusChange(string Status, DateTimeOffset At, string Reason);

public sealed record OrderDetails(
    Guid OrderId, string OrderNumber, string Status, long Total, string Currency, string? PaymentUrl, IReadOnlyList<StatusChange> History);

public sealed record CheckoutAnswer(string RedirectUrl, string PaymentKey, string OrderId, long Amount);

public sealed record PaymentReturn(Guid OrderId, Guid PaymentId, string Status, long Amount, string? Reason);

public sealed record LedgerLine(string Kind, long Amount, DateTimeOffset At, string? PgTransactionKey, string? Reason);

public sealed record PaymentDetails(
    Guid PaymentId, Guid OrderId, string Status, long Amount, string Currency, long CapturedAmount, long RefundedAmount,
    IReadOnlyList<LedgerLine> Ledger);

public sealed record PaidOrder(Guid OrderId, Guid PaymentId, DateTimeOffset PaidAt);

public sealed record StuckOrder(Guid OrderId, string Status, DateTimeOffset PaymentDeadline, DateTimeOffset UpdatedAt);

public sealed record OrderingAudit(IReadOnlyList<PaidOrder> Paid, IReadOnlyList<StuckOrder> Stuck);

public sealed record HeldMoney(Guid PaymentId, Guid OrderId, string Status, long CapturedAmount, long RefundedAmount, DateTimeOffset UpdatedAt);

public sealed record PaymentDrift(Guid PaymentId, long CapturedAmount, long LedgerCaptured, long RefundedAmount, long LedgerRefunded);

public sealed record PaymentAudit(IReadOnlyList<HeldMoney> Held, IReadOnlyList<PaymentDrift> Drift);

public sealed record StockDrift(Guid SkuId, long OnHand, long Reserved, long LedgerOnHand, long LedgerReserved, long HeldReserved);

public sealed record InventoryAudit(long Skus, long HeldReservations, IReadOnlyList<StockDrift> Drift);

public sealed record ReservationState(Guid OrderId, string Status, string? Outcome);
