using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Stampede.Contracts;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Payment.Tests.Infrastructure;

/// <summary>An order's open payment session, as the tests know it.</summary>
public sealed record Session(Guid OrderId, Guid PaymentId, string PaymentUrl, Guid UserId, long Amount);

/// <summary>Payment in-process on real Kestrel (so the PG's webhooks reach it) against the real
/// PostgreSQL (a fresh database) and RabbitMQ (an exchange and queues of its own), talking to the
/// real PG simulator on real Kestrel, with tokens signed by a key the service is told to trust.</summary>
public class PaymentApp : IAsyncLifetime
{
    /// <summary>Pg:ConfirmTimeout: generous, so a loaded machine does not turn a normal confirm into a timeout.</summary>
    public static readonly TimeSpan PgConfirmTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)];

    public static readonly TimeSpan[] TransientRetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)];

    private static readonly string[] HandledEvents = ["ordering.order-cancelled.v1", "ordering.refund-requested.v1", "ordering.order-expired.v1"];

    private readonly string suffix = Guid.NewGuid().ToString("N")[..12];
    private PaymentHost? host;

    public PgSimHost Pg { get; private set; } = null!;

    /// <summary>Payment's way to the PG's merchant API; cut it to take the PG down for payment.</summary>
    public TcpLink PgLink { get; private set; } = null!;

    /// <summary>Where payment calls the PG (Pg:BaseUrl): through <see cref="PgLink"/>.</summary>
    public Uri PgBaseUrl => new UriBuilder(Pg.Address) { Port = PgLink.Port }.Uri;
    public TestBroker Broker { get; private set; } = null!;
    public TestSigningKeys Keys { get; } = new();
    public string ConnectionString { get; } = TestServers.NewDatabase("payment");
    public string MessagingName => $"payment-test-{suffix}";
    public Uri Address { get; private set; } = null!;

    /// <summary>The running service's container (for its PG client).</summary>
    public IServiceProvider Services => host!.Services;

    /// <summary>Payment:VoidAtPg for this app.</summary>
    protected virtual bool VoidAtPg => true;

    public async ValueTask InitializeAsync()
    {
        Pg = PgSimHost.Start();
        PgLink = TcpLink.To(Pg.Address.Host, Pg.Address.Port);
        Broker = await TestBroker.StartAsync(TestServers.RabbitMq, $"{MessagingName}.events");
        var port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}");
        host = new PaymentHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["ConnectionStrings:RabbitMQ"] = TestServers.RabbitMq,
            ["Messaging:ServiceName"] = MessagingName,
            ["Messaging:Exchange"] = Broker.Exchange,
            ["Messaging:RetryDelays:0"] = RetryDelays[0].ToString(),
            ["Messaging:RetryDelays:1"] = RetryDelays[1].ToString(),
            ["Messaging:RetryDelays:2"] = RetryDelays[2].ToString(),
            ["Messaging:TransientRetryDelays:0"] = TransientRetryDelays[0].ToString(),
            ["Messaging:TransientRetryDelays:1"] = TransientRetryDelays[1].ToString(),
            ["Messaging:SweepInterval"] = "00:00:01",
            ["Pg:BaseUrl"] = PgBaseUrl.ToString(),
            ["Pg:SecretKey"] = PgSimHost.SecretKey,
            ["Pg:WebhookSecret"] = PgSimHost.WebhookSecret,
            ["Pg:ConfirmTimeout"] = PgConfirmTimeout.ToString(),
            ["Payment:PublicBaseUrl"] = Address.ToString(),
            ["Payment:WebhookBaseUrl"] = Address.ToString(),
            ["Payment:VoidAtPg"] = VoidAtPg.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        }, Keys);
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        host.StartServer();
        await WaitUntilReadyAsync();
    }

    /// <summary>A client without credentials (the buyer's browser, the PG, ordering on the private network).</summary>
    public HttpClient Anonymous() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient ClientFor(Guid userId, params string[] roles)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Keys.TokenFor(userId, roles));
        return client;
    }

    public HttpClient Admin() => ClientFor(Guid.NewGuid(), Roles.Customer, Roles.Admin);

    public static object SessionBody(Guid orderId, long amount, Guid userId) => new
    {
        orderId,
        orderNumber = "ORD-20261122-" + Random.Shared.Next(1, 999_999).ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
        amount,
        currency = "KRW",
        orderName = "Linen shirt and 1 more",
        userId,
    };

    /// <summary>Opens a session as ordering does (200 expected).</summary>
    public async Task<Session> OpenSessionAsync(long amount = 15_000, Guid? userId = null)
    {
        var orderId = Guid.NewGuid();
        var user = userId ?? Guid.NewGuid();
        using var client = Anonymous();
        using var response = await client.PostAsJsonAsync("/internal/payment-sessions", SessionBody(orderId, amount, user));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Session(orderId, session.GetProperty("paymentId").GetGuid(), session.GetProperty("paymentUrl").GetString()!, user, amount);
    }

    /// <summary>The buyer's browser following the PG's redirect back to payment.</summary>
    public async Task<HttpResponseMessage> ReturnAsync(string redirectUrl)
    {
        using var client = Anonymous();
        return await client.GetAsync(redirectUrl);
    }

    /// <summary>Opens a session, approves it at the PG and returns: a captured payment.</summary>
    public async Task<Session> CapturedSessionAsync(long amount = 15_000, Guid? userId = null)
    {
        var session = await OpenSessionAsync(amount, userId);
        using var response = await ReturnAsync(await Pg.ApproveAsync(session.PaymentUrl));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return session;
    }

    /// <summary>The payment's status, amounts and ledger kinds as stored.</summary>
    public async Task<StoredPayment> StoredAsync(Guid orderId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        var row = await connection.QuerySingleAsync<(Guid Id, string Status, long CapturedAmount, long RefundedAmount, string PaymentKey)>(
            "SELECT id, status, captured_amount, refunded_amount, payment_key FROM payments WHERE order_id = @orderId", new { orderId });
        var ledger = await connection.QueryAsync<string>("SELECT kind FROM payment_ledger WHERE payment_id = @id ORDER BY id", new { id = row.Id });
        return new StoredPayment(row.Status, row.CapturedAmount, row.RefundedAmount, row.PaymentKey, [.. ledger]);
    }

    public async Task<StoredPayment> WaitForStoredAsync(Guid orderId, Func<StoredPayment, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var stored = await StoredAsync(orderId);
            if (until(stored)) return stored;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Payment of order {orderId} stayed {stored}.");
            await Task.Delay(25);
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Outbox rows this service wrote for one order and event: what it published, counted at the source.</summary>
    public Task<long> OutboxCountAsync<TEvent>(Guid orderId) where TEvent : IntegrationEvent =>
        ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE event_name = @eventName AND payload->>'orderId' = @orderId",
            new { eventName = EventNames.Of<TEvent>(), orderId = orderId.ToString() });

    /// <summary>Publishes <paramref name="event"/> and waits until payment handled it (its inbox row committed).</summary>
    public async Task PublishAndWaitAsync<TEvent>(TEvent @event, TimeSpan? timeout = null) where TEvent : IntegrationEvent
    {
        await Broker.PublishAsync(@event);
        await WaitForHandledAsync(@event.EventId, timeout);
    }

    public async Task WaitForHandledAsync(Guid eventId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM messaging.inbox WHERE message_id = @eventId)", new { eventId }))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Payment did not handle event {eventId} in time.");
            await Task.Delay(25);
        }
    }

    /// <summary>Waits <paramref name="quiet"/> for stragglers (webhooks, retries, duplicates), then counts
    /// the <typeparamref name="TEvent"/>s seen on the broker for the order.</summary>
    public async Task<int> SettledCountAsync<TEvent>(Guid orderId, TimeSpan? quiet = null) where TEvent : IntegrationEvent
    {
        await Task.Delay(quiet ?? TimeSpan.FromMilliseconds(700));
        return Broker.Seen<TEvent>(e => OrderIdOf(e) == orderId).Count;
    }

    private static Guid OrderIdOf(IntegrationEvent @event) => @event switch
    {
        Contracts.Payment.PaymentCaptured captured => captured.OrderId,
        Contracts.Payment.PaymentFailed failed => failed.OrderId,
        Contracts.Payment.PaymentRefunded refunded => refunded.OrderId,
        _ => Guid.Empty,
    };

    private async Task WaitUntilReadyAsync()
    {
        using var client = Anonymous();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Payment did not become ready: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        await Broker.DeleteServiceTopologyAsync(MessagingName, HandledEvents, [.. RetryDelays, .. TransientRetryDelays]);
        await Broker.DisposeAsync();
        await PgLink.DisposeAsync();
        await Pg.DisposeAsync();
        Keys.Dispose();
        await TestServers.DropDatabaseAsync(ConnectionString);
        GC.SuppressFinalize(this);
    }

    private sealed class PaymentHost(IReadOnlyDictionary<string, string?> settings, TestSigningKeys keys) : WebApplicationFactory<PaymentService>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<ISigningKeySource>(keys)));
        }
    }
}

/// <summary>A payment as stored: its status, amounts, PG key and ledger kinds in order.</summary>
public sealed record StoredPayment(string Status, long CapturedAmount, long RefundedAmount, string PaymentKey, IReadOnlyList<string> Ledger)
{
    public override string ToString() => $"{Status}, captured {CapturedAmount}, refunded {RefundedAmount}, ledger [{string.Join(", ", Ledger)}]";
}

/// <summary>Payment with <c>Payment:VoidAtPg</c> off: expiry only marks the session void here.</summary>
public sealed class PaymentAppVoidingLocally : PaymentApp
{
    protected override bool VoidAtPg => false;
}
