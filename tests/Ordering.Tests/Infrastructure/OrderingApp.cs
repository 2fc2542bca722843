using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Ordering.Tests.Infrastructure;

/// <summary>Ordering in-process (WebApplicationFactory) against the real PostgreSQL (a fresh database),
/// Redis and RabbitMQ (an exchange and queues of its own), with test doubles of catalog and payment
/// on real local ports, and tokens signed with a key the service is told to trust.</summary>
public class OrderingApp : IAsyncLifetime
{
    public static readonly TimeSpan[] RetryDelays =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private static readonly string[] HandledEvents =
    [
        "inventory.stock-reserved.v1", "inventory.stock-rejected.v1", "payment.payment-captured.v1",
        "payment.payment-failed.v1", "payment.payment-refunded.v1",
    ];

    private readonly string suffix = Guid.NewGuid().ToString("N")[..12];

    public CatalogDouble Catalog { get; private set; } = null!;
    public PaymentDouble Payment { get; private set; } = null!;
    public TestBroker Broker { get; private set; } = null!;
    public TestSigningKeys Keys { get; } = new();
    public WebApplicationFactory<OrderingService> Factory { get; private set; } = null!;
    public string ConnectionString { get; } = TestServers.NewDatabase("ordering");
    public string MessagingName => $"ordering-test-{suffix}";

    /// <summary>Ordering:PaymentDeadline for this app.</summary>
    protected virtual TimeSpan PaymentDeadline => TimeSpan.FromMinutes(15);

    /// <summary>Ordering:DeadlineJobInterval for this app.</summary>
    protected virtual TimeSpan DeadlineJobInterval => TimeSpan.FromMilliseconds(250);

    protected virtual int DeadlineJobBatchSize => 100;

    /// <summary>Settings of this app beyond the common ones (applied last, so they win).</summary>
    protected virtual IEnumerable<(string Key, string Value)> MoreSettings() => [];

    public virtual async ValueTask InitializeAsync()
    {
        Catalog = await CatalogDouble.StartNewAsync();
        Payment = await PaymentDouble.StartNewAsync();
        Broker = await TestBroker.StartAsync(TestServers.RabbitMq, $"ordering-test-{suffix}.events");
        Factory = new WebApplicationFactory<OrderingService>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", ConnectionString);
            web.UseSetting("ConnectionStrings:Redis", TestServers.Redis);
            web.UseSetting("ConnectionStrings:RabbitMQ", TestServers.RabbitMq);
            web.UseSetting("Services:catalog", Catalog.Address.ToString());
            web.UseSetting("Services:payment", Payment.Address.ToString());
            web.UseSetting("Messaging:ServiceName", MessagingName);
            web.UseSetting("Messaging:Exchange", Broker.Exchange);
            for (var i = 0; i < RetryDelays.Length; i++) web.UseSetting($"Messaging:RetryDelays:{i}", RetryDelays[i].ToString());
            web.UseSetting("Ordering:PaymentDeadline", PaymentDeadline.ToString());
            web.UseSetting("Ordering:DeadlineJobInterval", DeadlineJobInterval.ToString());
            web.UseSetting("Ordering:DeadlineJobBatchSize", DeadlineJobBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in MoreSettings()) web.UseSetting(key, value);
            web.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<ISigningKeySource>(Keys)));
        });
        await WaitUntilReadyAsync();
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    public HttpClient ClientFor(Guid userId, params string[] roles)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Keys.TokenFor(userId, roles));
        return client;
    }

    public HttpClient NewCustomer() => ClientFor(Guid.NewGuid());

    public HttpClient Admin() => ClientFor(Guid.NewGuid(), Roles.Customer, Roles.Admin);

    public static async Task<HttpResponseMessage> PostOrderAsync(HttpClient client, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    /// <summary>Places an order of the given lines and returns it (201 expected).</summary>
    public static async Task<PlacedOrder> PlaceAsync(HttpClient client, params (Guid SkuId, int Quantity)[] lines)
    {
        using var response = await PostOrderAsync(client,
            new { lines = lines.Select(line => new { skuId = line.SkuId, quantity = line.Quantity }) }, Guid.NewGuid().ToString());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PlacedOrder>())!;
    }

    /// <summary>Places an order of one SKU priced <paramref name="price"/>.</summary>
    public async Task<PlacedOrder> PlaceSimpleAsync(HttpClient client, long price = 10_000, int quantity = 1) =>
        await PlaceAsync(client, (Catalog.AddSku(price), quantity));

    public async Task<OrderDetails> OrderAsync(Guid orderId)
    {
        using var admin = Admin();
        return (await admin.GetFromJsonAsync<OrderDetails>($"/admin/orders/{orderId}"))!;
    }

    /// <summary>Polls the order until <paramref name="until"/> holds.</summary>
    public async Task<OrderDetails> WaitForOrderAsync(Guid orderId, Func<OrderDetails, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        using var admin = Admin();
        while (true)
        {
            var order = (await admin.GetFromJsonAsync<OrderDetails>($"/admin/orders/{orderId}"))!;
            if (until(order)) return order;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Order {orderId} stayed {order.Status} (paymentUrl {order.PaymentUrl ?? "none"}).");
            await Task.Delay(25);
        }
    }

    public Task<OrderDetails> WaitForStatusAsync(Guid orderId, string status, TimeSpan? timeout = null) =>
        WaitForOrderAsync(orderId, order => order.Status == status, timeout);

    /// <summary>Runs SQL against the service's database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Outbox rows this service wrote for one order and event name: what it published, counted at the source.</summary>
    public Task<long> OutboxCountAsync(string eventName, Guid orderId) =>
        ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE event_name = @eventName AND payload->>'orderId' = @orderId",
            new { eventName, orderId = orderId.ToString() });

    private async Task WaitUntilReadyAsync()
    {
        using var client = Factory.CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Ordering did not become ready: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Broker.DeleteServiceTopologyAsync(MessagingName, HandledEvents, RetryDelays);
        await Broker.DisposeAsync();
        await Catalog.DisposeAsync();
        await Payment.DisposeAsync();
        Keys.Dispose();
        await TestServers.DropDatabaseAsync(ConnectionString);
        GC.SuppressFinalize(this);
    }
}
