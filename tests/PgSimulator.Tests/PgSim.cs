using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Stampede.PgSimulator.Tests;

/// <summary>The PG simulator in memory, with clients for the merchant, the buyer and the
/// simulator controls. Webhooks leave it over real HTTP.</summary>
public sealed class PgSim : WebApplicationFactory<PgSimulatorService>
{
    public const string SecretKey = "test_sk_for_tests";
    public const string WebhookSecret = "whsec_for_tests";

    private readonly Dictionary<string, string?> settings = new()
    {
        ["PgSim:SecretKey"] = SecretKey,
        ["PgSim:WebhookSecret"] = WebhookSecret,
        ["PgSim:WebhookRetryDelays"] = "50ms,100ms,150ms",
        ["PgSim:WebhookTimeout"] = "00:00:02",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private ManualClock? clock;
    private Uri? kestrelAddress;

    public PgSim With(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Lets the test move time forward (expiry); timers still run in real time.</summary>
    public PgSim WithClock(ManualClock manual)
    {
        clock = manual;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (clock is not null) builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
    }

    private HttpClient? merchant;
    private HttpClient? anonymous;

    /// <summary>Calls with the merchant's secret key; does not follow redirects.</summary>
    public HttpClient Merchant => merchant ??= NewClient(SecretKey);

    /// <summary>Calls without credentials (the buyer, the simulator controls); does not follow redirects.</summary>
    public HttpClient Anonymous => anonymous ??= NewClient(null);

    /// <summary>Serves on real Kestrel (a free port) instead of in memory, for what only a real
    /// connection shows (a client that gives up).</summary>
    public PgSim OnKestrel()
    {
        UseKestrel(0);
        StartServer();
        kestrelAddress = new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return this;
    }

    /// <summary>A client over real HTTP to the Kestrel server of <see cref="OnKestrel"/>.</summary>
    public HttpClient NewKestrelClient(string? secretKey, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = kestrelAddress, Timeout = timeout };
        if (secretKey is not null) client.DefaultRequestHeaders.Authorization = Basic(secretKey);
        return client;
    }

    public HttpClient NewClient(string? secretKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = kestrelAddress ?? new Uri("http://localhost"),
        });
        if (secretKey is not null) client.DefaultRequestHeaders.Authorization = Basic(secretKey);
        return client;
    }

    public static AuthenticationHeaderValue Basic(string secretKey) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));

    public static string NewOrderId() => "order-" + Guid.NewGuid().ToString("N")[..16];

    public static object NewPaymentBody(string orderId, long amount = 15_000, string? webhookUrl = null, string orderName = "Running shoes") => new
    {
        orderId,
        amount,
        orderName,
        successUrl = "https://shop.test/pay/success",
        failUrl = "https://shop.test/pay/fail",
        webhookUrl,
    };

    public Task<HttpResponseMessage> PostCreateAsync(object body, string? idempotencyKey = null) =>
        Send(HttpMethod.Post, "/v1/payments", body, idempotencyKey);

    /// <summary>A new READY payment; its <c>paymentKey</c>, <c>orderId</c> and <c>amount</c>.</summary>
    public async Task<Created> CreateAsync(long amount = 15_000, string? webhookUrl = null, string? orderId = null)
    {
        var response = await PostCreateAsync(NewPaymentBody(orderId ?? NewOrderId(), amount, webhookUrl));
        await response.ShouldBeAsync(200);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Created(json.GetProperty("paymentKey").GetString()!, json.GetProperty("orderId").GetString()!, json.GetProperty("amount").GetInt64(), json);
    }

    /// <summary>A payment the buyer has approved (IN_PROGRESS).</summary>
    public async Task<Created> CreateApprovedAsync(long amount = 15_000, string? webhookUrl = null)
    {
        var payment = await CreateAsync(amount, webhookUrl);
        (await ApproveAsync(payment.PaymentKey)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        return payment;
    }

    /// <summary>A confirmed payment (DONE).</summary>
    public async Task<Created> CreateConfirmedAsync(long amount = 15_000, string? webhookUrl = null)
    {
        var payment = await CreateApprovedAsync(amount, webhookUrl);
        await (await ConfirmAsync(payment)).ShouldBeAsync(200);
        return payment;
    }

    public Task<HttpResponseMessage> ApproveAsync(string paymentKey) => AnswerAsync(paymentKey, "approve");

    public Task<HttpResponseMessage> DeclineAsync(string paymentKey) => AnswerAsync(paymentKey, "decline");

    private Task<HttpResponseMessage> AnswerAsync(string paymentKey, string answer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/checkout/{paymentKey}/{answer}");
        request.Headers.Accept.ParseAdd("application/json");
        return Anonymous.SendAsync(request);
    }

    public Task<HttpResponseMessage> ConfirmAsync(Created payment, string? idempotencyKey = null, HttpClient? client = null) =>
        ConfirmAsync(payment.PaymentKey, payment.OrderId, payment.Amount, idempotencyKey, client);

    public Task<HttpResponseMessage> ConfirmAsync(string paymentKey, string orderId, long amount, string? idempotencyKey = null, HttpClient? client = null) =>
        Send(HttpMethod.Post, "/v1/payments/confirm", new { paymentKey, orderId, amount }, idempotencyKey, client);

    public Task<HttpResponseMessage> CancelAsync(string paymentKey, string reason, long? amount = null, string? idempotencyKey = null) =>
        Send(HttpMethod.Post, $"/v1/payments/{paymentKey}/cancel", new { cancelReason = reason, cancelAmount = amount }, idempotencyKey);

    public async Task<JsonElement> GetAsync(string paymentKey)
    {
        var response = await Merchant.GetAsync($"/v1/payments/{paymentKey}");
        await response.ShouldBeAsync(200);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> SwitchOnAsync(object failure)
    {
        var response = await Anonymous.PostAsJsonAsync("/sim/failures", failure);
        await response.ShouldBeAsync(201);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, object body, string? idempotencyKey, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return (client ?? Merchant).SendAsync(request);
    }

    public sealed record Created(string PaymentKey, string OrderId, long Amount, JsonElement Json);
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

public static class ResponseAssertions
{
    /// <summary>Asserts the status and shows the body when it is not the expected one.</summary>
    public static async Task ShouldBeAsync(this HttpResponseMessage response, int status)
    {
        if ((int)response.StatusCode != status)
            ((int)response.StatusCode).ShouldBe(status, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>The problem body, after checking it is RFC 9457 with the expected status.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, int status)
    {
        await response.ShouldBeAsync(status);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.JsonAsync();
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        return problem;
    }

    public static string Code(this JsonElement problem) => problem.GetProperty("code").GetString()!;

    public static string Status(this JsonElement payment) => payment.GetProperty("status").GetString()!;
}
