using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Stampede.PgSimulator;

namespace Stampede.Payment.Tests.Infrastructure;

/// <summary>The real PG simulator, in this process on real Kestrel (a free local port), so the payment
/// service calls it over HTTP and its webhooks reach the payment service over HTTP. Clients for the
/// merchant (the secret key), the buyer and the simulator's failure switches.</summary>
public sealed class PgSimHost : WebApplicationFactory<PgSimulatorService>
{
    public const string SecretKey = "test_sk_payment_tests";
    public const string WebhookSecret = "test_whsec_payment_tests";

    public Uri Address { get; private set; } = null!;

    /// <summary>Calls the merchant API with the secret key.</summary>
    public HttpClient Merchant { get; private set; } = null!;

    /// <summary>Plays the buyer and switches failures; follows no redirects.</summary>
    public HttpClient Buyer { get; private set; } = null!;

    public static PgSimHost Start()
    {
        var sim = new PgSimHost();
        sim.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        sim.StartServer();
        sim.Address = new Uri(sim.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        sim.Merchant = new HttpClient { BaseAddress = sim.Address, Timeout = TimeSpan.FromSeconds(30) };
        sim.Merchant.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretKey + ":")));
        sim.Buyer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sim.Address, Timeout = TimeSpan.FromSeconds(30) };
        return sim;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("PgSim:SecretKey", SecretKey);
        builder.UseSetting("PgSim:WebhookSecret", WebhookSecret);
        builder.UseSetting("PgSim:WebhookRetryDelays", "100ms,200ms,400ms,800ms");
        builder.UseSetting("PgSim:WebhookTimeout", "00:00:05");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>The buyer approves at the checkout page; the URL the PG sends the buyer back to.</summary>
    public Task<string> ApproveAsync(string paymentUrl) => AnswerAsync(paymentUrl, "approve");

    /// <summary>The buyer declines at the checkout page; the URL the PG sends the buyer back to.</summary>
    public Task<string> DeclineAsync(string paymentUrl) => AnswerAsync(paymentUrl, "decline");

    public async Task<HttpResponseMessage> TryApproveAsync(string paymentUrl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, paymentUrl + "/approve");
        request.Headers.Accept.ParseAdd("application/json");
        return await Buyer.SendAsync(request);
    }

    private async Task<string> AnswerAsync(string paymentUrl, string answer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, paymentUrl + "/" + answer);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await Buyer.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirectUrl").GetString()!;
    }

    /// <summary>The PG's payment for an order, as the merchant API shows it.</summary>
    public async Task<JsonElement> PaymentOfOrderAsync(Guid orderId)
    {
        using var response = await Merchant.GetAsync($"/v1/payments/orders/{orderId:N}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> StatusOfOrderAsync(Guid orderId) => (await PaymentOfOrderAsync(orderId)).GetProperty("status").GetString()!;

    /// <summary>Confirms at the PG directly, as if payment had confirmed and then lost the answer.</summary>
    public async Task ConfirmDirectlyAsync(string paymentKey, Guid orderId, long amount)
    {
        using var response = await Merchant.PostAsJsonAsync("/v1/payments/confirm", new { paymentKey, orderId = orderId.ToString("N"), amount });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Switches on a failure mode (POST /sim/failures); its id.</summary>
    public async Task<string> SwitchOnAsync(object failure)
    {
        using var response = await Buyer.PostAsJsonAsync("/sim/failures", failure);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task SwitchOffAsync(string failureId)
    {
        using var response = await Buyer.DeleteAsync($"/sim/failures/{failureId}");
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    public override async ValueTask DisposeAsync()
    {
        Merchant?.Dispose();
        Buyer?.Dispose();
        await base.DisposeAsync();
    }
}
