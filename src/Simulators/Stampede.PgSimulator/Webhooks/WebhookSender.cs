using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Stampede.PgSimulator.Failures;
using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Webhooks;

/// <summary>The body of every webhook: <c>{eventType, createdAt, data: payment}</c>.</summary>
public sealed record WebhookEvent(string EventType, DateTimeOffset CreatedAt, PaymentView Data)
{
    public const string PaymentStatusChanged = "PAYMENT_STATUS_CHANGED";
}

/// <summary>One webhook on its way: the same id and body on every attempt.</summary>
public sealed record WebhookDelivery(string DeliveryId, string Url, string Body, string OrderId, string PaymentKey, int Attempt);

/// <summary>Sends webhooks in the background from a queue: a delivery that fails (a non-2xx
/// answer, a timeout, no answer) is queued again after a growing delay until it succeeds or runs
/// out of attempts. Waits happen off the workers, so one dead receiver does not hold up others.</summary>
public sealed class WebhookSender(
    IHttpClientFactory httpClients,
    IOptions<PgSimulatorOptions> options,
    FailureModes failures,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int Workers = 16;

    private readonly Channel<WebhookDelivery> queue = Channel.CreateUnbounded<WebhookDelivery>();
    private readonly IReadOnlyList<TimeSpan> retryDelays = options.Value.RetryDelays();
    private readonly int maxAttempts = options.Value.MaxAttempts();

    /// <summary>Queues a PAYMENT_STATUS_CHANGED for the payment, to its own webhook URL or the
    /// configured one; nothing when there is neither.</summary>
    public void Enqueue(string? webhookUrl, PaymentView payment)
    {
        var url = webhookUrl ?? options.Value.WebhookUrl;
        if (string.IsNullOrEmpty(url)) return;
        var body = JsonSerializer.Serialize(new WebhookEvent(WebhookEvent.PaymentStatusChanged, time.GetUtcNow(), payment), JsonSerializerOptions.Web);
        queue.Writer.TryWrite(new WebhookDelivery(Guid.CreateVersion7().ToString("N"), url, body, payment.OrderId, payment.PaymentKey, Attempt: 1));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync(stoppingToken))
                await AttemptAsync(delivery, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AttemptAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var delivered = failures.Take(FailureMode.WebhookFail, delivery.OrderId, delivery.PaymentKey) is null
            ? await SendAsync(delivery, stoppingToken)
            : Failed(delivery, "not sent: webhook-fail mode");
        if (delivered)
        {
            if (failures.Take(FailureMode.DuplicateWebhook, delivery.OrderId, delivery.PaymentKey) is not null)
                await SendAsync(delivery, stoppingToken);
            return;
        }
        if (delivery.Attempt >= maxAttempts)
        {
            logger.LogWarning("Webhook {DeliveryId} for payment {PaymentKey} abandoned after {Attempts} attempts",
                delivery.DeliveryId, delivery.PaymentKey, delivery.Attempt);
            return;
        }
        _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, DelayBefore(delivery.Attempt + 1), stoppingToken);
    }

    private TimeSpan DelayBefore(int attempt) =>
        retryDelays.Count == 0 ? TimeSpan.FromSeconds(1) : retryDelays[Math.Min(attempt - 2, retryDelays.Count - 1)];

    private async Task RetryLaterAsync(WebhookDelivery delivery, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            queue.Writer.TryWrite(delivery);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> SendAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.EventHeader, WebhookEvent.PaymentStatusChanged);
        request.Headers.Add(WebhookSignature.DeliveryIdHeader, delivery.DeliveryId);
        request.Headers.Add(WebhookSignature.AttemptHeader, delivery.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(options.Value.WebhookSecret, timestamp, delivery.Body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                logger.LogInformation("Webhook {DeliveryId} for payment {PaymentKey} delivered on attempt {Attempt}",
                    delivery.DeliveryId, delivery.PaymentKey, delivery.Attempt);
                return true;
            }
            return Failed(delivery, $"answered {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return Failed(delivery, exception is OperationCanceledException ? "timed out" : exception.Message);
        }
    }

    private bool Failed(WebhookDelivery delivery, string reason)
    {
        logger.LogInformation("Webhook {DeliveryId} for payment {PaymentKey} failed on attempt {Attempt}: {Reason}",
            delivery.DeliveryId, delivery.PaymentKey, delivery.Attempt, reason);
        return false;
    }
}
