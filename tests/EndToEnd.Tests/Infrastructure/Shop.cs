using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Cli.Services;

namespace Stampede.EndToEnd.Tests.Infrastructure;

public sealed record Customer(string Email, string AccessToken);

public sealed record Product(Guid Id, IReadOnlyList<Guid> SkuIds, long Price);

public sealed record OrderLine(Guid SkuId, int Quantity);

public sealed record PlacedOrder(Guid OrderId, string OrderNumber, string Status, long Total, string Currency, string? PaymentUrl);

public sealed record StatusChange(string Status, DateTimeOffset At, string Reason);

public sealed record OrderView(Guid OrderId, string OrderNumber, Guid UserId, string Status, long Total, string Currency, string? PaymentUrl,
    DateTimeOffset PaymentDeadline, IReadOnlyList<StatusChange> History)
{
    public string Describe() =>
        $"order {OrderNumber} ({OrderId}) is {Status}; history: " +
        string.Join(" -> ", History.Select(change => $"{change.Status} at {change.At:HH:mm:ss.fff} ({change.Reason})"));
}

public sealed record StockView(Guid SkuId, long OnHand, long Reserved, long Available, long Version);

public sealed record StockLedgerRow(long Id, Guid SkuId, long DeltaOnHand, long DeltaReserved, string Reason, Guid? OrderId);

public sealed record StockLedgerPage(IReadOnlyList<StockLedgerRow> Items, int Page, int PageSize, long Total);

public sealed record LedgerLine(string Kind, long Amount, DateTimeOffset At, string? PgTransactionKey, string? Reason);

public sealed record PaymentView(Guid PaymentId, Guid OrderId, string Status, long Amount, long CapturedAmount, long RefundedAmount,
    string PaymentUrl, IReadOnlyList<LedgerLine> Ledger)
{
    public int Count(string kind) => Ledger.Count(line => line.Kind == kind);

    public string Describe() =>
        $"payment {PaymentId} is {Status}, captured {CapturedAmount}, refunded {RefundedAmount}; ledger: " +
        string.Join(", ", Ledger.Select(line => $"{line.Kind} {line.Amount}"));
}

public sealed record CheckoutAnswer(string RedirectUrl, string PaymentKey, string OrderId, long Amount, string Status);

/// <summary>A customer's and an admin's view of the shop: everything through the gateway over HTTP,
/// except the PG's checkout page, which a buyer's browser reaches directly.</summary>
public sealed class Shop : IDisposable
{
    public static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    public static readonly string[] FinalStates = ["Paid", "Cancelled", "Expired", "Rejected", "Failed"];

    private readonly HttpClient gateway;
    private readonly HttpClient browser;
    private string adminToken = "";

    private Shop(RunningSystem system)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        gateway = new HttpClient(handler) { BaseAddress = new Uri(system.GatewayUrl), Timeout = TimeSpan.FromSeconds(60) };
        browser = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        PgSimulatorUrl = system.PgSimulatorUrl;
    }

    public string PgSimulatorUrl { get; }

    public string AdminToken => adminToken;

    public static async Task<Shop> OpenAsync(RunningSystem system)
    {
        var shop = new Shop(system);
        shop.adminToken = await shop.LogInAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword);
        return shop;
    }

    public async Task<string> LogInAsync(string email, string password)
    {
        using var response = await gateway.PostAsJsonAsync("/api/identity/tokens", new { email, password });
        await ExpectAsync(response, HttpStatusCode.OK, $"log in as {email}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("accessToken").GetString()!;
    }

    /// <summary>Registers, reads the code from the dev mailbox (as the admin), verifies and logs in.</summary>
    public async Task<Customer> NewCustomerAsync()
    {
        var email = $"buyer-{Guid.NewGuid():N}@e2e.example";
        const string password = "correct-horse-battery";
        using (var registered = await gateway.PostAsJsonAsync("/api/identity/users", new { email, password, name = "E2E Buyer" }))
        {
            await ExpectAsync(registered, HttpStatusCode.Created, $"register {email}");
        }

        var mails = await SendAsync<JsonElement>(HttpMethod.Get, $"/api/identity/dev/mailbox?email={Uri.EscapeDataString(email)}", adminToken);
        mails.GetArrayLength().ShouldBeGreaterThan(0, $"the dev mailbox has no code for {email}");
        var code = mails[0].GetProperty("code").GetString();
        using (var verified = await gateway.PostAsJsonAsync("/api/identity/users/verification", new { email, code }))
        {
            await ExpectAsync(verified, HttpStatusCode.NoContent, $"verify {email}");
        }

        return new Customer(email, await LogInAsync(email, password));
    }

    /// <summary>An active product with <paramref name="skus"/> SKUs at one price, each with <paramref name="stock"/> units on hand.</summary>
    public async Task<Product> NewProductAsync(int skus = 1, long price = 12_000, long stock = 10)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var category = await SendAsync<JsonElement>(HttpMethod.Post, "/api/catalog/categories", adminToken, new { name = $"E2E {tag}", slug = $"e2e-{tag}" });
        var product = await SendAsync<JsonElement>(HttpMethod.Post, "/api/catalog/products", adminToken, new
        {
            name = $"E2E product {tag}",
            description = "Made by the end-to-end tests.",
            categoryId = category.GetProperty("id").GetGuid(),
            status = "active",
            options = new[] { new { name = "size", values = Enumerable.Range(1, skus).Select(i => $"size-{i}").ToArray() } },
            price,
        });
        var skuIds = product.GetProperty("skus").EnumerateArray().Select(sku => sku.GetProperty("id").GetGuid()).ToList();
        skuIds.Count.ShouldBe(skus);
        foreach (var sku in skuIds)
        {
            await SetStockAsync(sku, stock);
        }

        return new Product(product.GetProperty("id").GetGuid(), skuIds, price);
    }

    public Task<StockView> SetStockAsync(Guid sku, long onHand) =>
        SendAsync<StockView>(HttpMethod.Put, $"/api/inventory/admin/stock/{sku}", adminToken, new { onHand, reason = "end-to-end test stock" });

    public Task<StockView> StockAsync(Guid sku) => SendAsync<StockView>(HttpMethod.Get, $"/api/inventory/stock/{sku}", adminToken);

    /// <summary>Every row of a SKU's stock ledger.</summary>
    public async Task<IReadOnlyList<StockLedgerRow>> StockLedgerAsync(Guid sku)
    {
        var rows = new List<StockLedgerRow>();
        for (var page = 1; ; page++)
        {
            var read = await SendAsync<StockLedgerPage>(HttpMethod.Get, $"/api/inventory/admin/stock/{sku}/ledger?page={page}&pageSize=100", adminToken);
            rows.AddRange(read.Items);
            if (read.Items.Count == 0 || rows.Count >= read.Total)
            {
                return rows;
            }
        }
    }

    public async Task<HttpResponseMessage> PostOrderAsync(Customer customer, IEnumerable<OrderLine> lines, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/ordering/orders")
        {
            Content = JsonContent.Create(new { lines = lines.ToArray() }, options: Json),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", customer.AccessToken);
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString("N"));
        return await gateway.SendAsync(request);
    }

    public async Task<PlacedOrder> PlaceOrderAsync(Customer customer, params OrderLine[] lines)
    {
        using var response = await PostOrderAsync(customer, lines);
        await ExpectAsync(response, HttpStatusCode.Created, "place an order");
        return (await response.Content.ReadFromJsonAsync<PlacedOrder>(Json))!;
    }

    public Task<OrderView> OrderAsync(Customer customer, Guid orderId) => SendAsync<OrderView>(HttpMethod.Get, $"/api/ordering/orders/{orderId}", customer.AccessToken);

    public Task<OrderView> OrderAsAdminAsync(Guid orderId) => SendAsync<OrderView>(HttpMethod.Get, $"/api/ordering/admin/orders/{orderId}", adminToken);

    /// <summary>Polls the order until <paramref name="done"/> holds; fails with the order's history otherwise.</summary>
    public async Task<OrderView> WaitForOrderAsync(Guid orderId, Func<OrderView, bool> done, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        OrderView? order = null;
        while (clock.Elapsed < (timeout ?? SagaTimeout))
        {
            order = await OrderAsAdminAsync(orderId);
            if (done(order))
            {
                return order;
            }

            await Task.Delay(200);
        }

        throw new ShouldAssertException($"Waited {clock.Elapsed.TotalSeconds:0} s for {what}, but {order?.Describe() ?? "the order was never read"}.");
    }

    public Task<OrderView> WaitForStatusAsync(Guid orderId, string status, TimeSpan? timeout = null) =>
        WaitForOrderAsync(orderId, order => order.Status == status, $"the order to become {status}", timeout);

    /// <summary>Until the order is AwaitingPayment with a payment URL (the saga's first half done); fails at once on a final state.</summary>
    public async Task<OrderView> WaitForPaymentUrlAsync(Guid orderId, TimeSpan? timeout = null)
    {
        var order = await WaitForOrderAsync(orderId,
            order => order is { Status: "AwaitingPayment", PaymentUrl: not null } || FinalStates.Contains(order.Status),
            "the order to await payment with a payment URL", timeout);
        order.Status.ShouldBe("AwaitingPayment", order.Describe());
        return order;
    }

    /// <summary>The buyer approves or declines at the PG's checkout (asking for JSON instead of the redirect).</summary>
    public async Task<CheckoutAnswer> AnswerCheckoutAsync(string paymentUrl, string answer)
    {
        using var response = await SendCheckoutAnswerAsync(paymentUrl, answer);
        await ExpectAsync(response, HttpStatusCode.OK, $"{answer} at the PG checkout");
        return (await response.Content.ReadFromJsonAsync<CheckoutAnswer>(Json))!;
    }

    /// <summary>The buyer answers at the PG checkout; the PG's answer as it is.</summary>
    public async Task<HttpResponseMessage> SendCheckoutAnswerAsync(string paymentUrl, string answer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{paymentUrl.TrimEnd('/')}/{answer}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await browser.SendAsync(request);
    }

    /// <summary>The buyer's browser follows the PG's redirect back to the shop (payment's return endpoint, through the gateway).</summary>
    public async Task<HttpResponseMessage> FollowReturnAsync(string redirectUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, redirectUrl);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await browser.SendAsync(request);
    }

    /// <summary>Approve at the PG and come back to the shop: the whole buyer side of paying.</summary>
    public async Task PayAsync(string paymentUrl)
    {
        var answer = await AnswerCheckoutAsync(paymentUrl, "approve");
        using var back = await FollowReturnAsync(answer.RedirectUrl);
        await ExpectAsync(back, HttpStatusCode.OK, "come back from the PG");
    }

    public async Task<PaymentView?> PaymentAsync(Guid orderId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/payment/payments/orders/{orderId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await gateway.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await ExpectAsync(response, HttpStatusCode.OK, "read the payment");
        return await response.Content.ReadFromJsonAsync<PaymentView>(Json);
    }

    public async Task<PaymentView> WaitForPaymentAsync(Guid orderId, Func<PaymentView, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        PaymentView? payment = null;
        while (clock.Elapsed < SagaTimeout)
        {
            payment = await PaymentAsync(orderId);
            if (payment is not null && done(payment))
            {
                return payment;
            }

            await Task.Delay(200);
        }

        throw new ShouldAssertException($"Waited {clock.Elapsed.TotalSeconds:0} s for {what}, but {payment?.Describe() ?? "there is no payment"}.");
    }

    public async Task<StockView> WaitForStockAsync(Guid sku, Func<StockView, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        StockView stock;
        do
        {
            stock = await StockAsync(sku);
            if (done(stock))
            {
                return stock;
            }

            await Task.Delay(200);
        }
        while (clock.Elapsed < SagaTimeout);

        throw new ShouldAssertException($"Waited {clock.Elapsed.TotalSeconds:0} s for {what}, but SKU {sku} has on hand {stock.OnHand}, reserved {stock.Reserved}.");
    }

    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await gateway.SendAsync(request);
    }

    /// <summary>Switches a failure mode on at the PG simulator (its control API, not the merchant API).</summary>
    public async Task SwitchPgFailureAsync(object rule)
    {
        using var response = await browser.PostAsJsonAsync($"{PgSimulatorUrl}/sim/failures", rule, Json);
        await ExpectAsync(response, HttpStatusCode.Created, "switch a PG simulator failure mode");
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await SendRawAsync(method, path, token, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new ShouldAssertException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            throw new ShouldAssertException(
                $"Expected {(int)expected} to {what} ({response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}), " +
                $"got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public void Dispose()
    {
        gateway.Dispose();
        browser.Dispose();
    }
}
