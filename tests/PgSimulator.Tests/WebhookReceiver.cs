using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stampede.PgSimulator.Tests;

/// <summary>A shop's webhook endpoint on real Kestrel: records every request and can be told to
/// fail the next few.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private int failuresLeft;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public string Url => app.Urls.First() + "/hooks/pg";

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/pg", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var fail = Interlocked.Decrement(ref receiver.failuresLeft) >= 0;
            receiver.received.Enqueue(new ReceivedWebhook(headers, body, fail));
            return fail ? Results.StatusCode(503) : Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next <paramref name="count"/> requests are answered 503.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failuresLeft, count);

    /// <summary>Waits until at least <paramref name="count"/> requests match, or fails the test.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, Func<ReceivedWebhook, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var matching = received.Where(match ?? (_ => true)).ToList();
            if (matching.Count >= count) return matching;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} webhooks, received {matching.Count} matching of {received.Count}.");
            await Task.Delay(20);
        }
    }

    /// <summary>What arrived for one payment, after giving stragglers (retries, duplicates) time to land.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> SettledFor(string paymentKey, TimeSpan quiet)
    {
        await Task.Delay(quiet);
        return [.. received.Where(w => w.PaymentKey == paymentKey)];
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, string Body, bool AnsweredWithFailure)
{
    private JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string DeliveryId => Headers["X-PgSim-Delivery-Id"];
    public string EventType => Json.GetProperty("eventType").GetString()!;
    public JsonElement Payment => Json.GetProperty("data");
    public string PaymentKey => Payment.GetProperty("paymentKey").GetString()!;
    public string PaymentStatus => Payment.GetProperty("status").GetString()!;

    /// <summary>Checks the signature the way a shop should: HMAC-SHA256 over "{timestamp}.{body}".</summary>
    public bool IsSignedWith(string secret)
    {
        var timestamp = Headers["X-PgSim-Timestamp"];
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{Body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Headers["X-PgSim-Signature"]));
    }
}
