using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Http;

namespace Stampede.Payment.Pg;

/// <summary>The PG said no (a 4xx with its code and message): retrying the same call will not help.</summary>
public sealed record PgRefusal(int Status, string Code, string Message);

/// <summary>The PG could not answer (unreachable, too slow, or a 5xx): whether it acted is unknown,
/// so the caller reads the payment back before deciding anything.</summary>
public sealed record PgOutage(PgOutageKind Kind, string Description);

public enum PgOutageKind
{
    /// <summary>No connection, or an unreadable answer.</summary>
    Unreachable,
    /// <summary>No answer within the call's timeout; the PG may still act on the request.</summary>
    TimedOut,
    /// <summary>The PG answered 5xx.</summary>
    ServerError,
}

/// <summary>One answer of the PG: the value, a refusal, or an outage.</summary>
public sealed record PgAnswer<T>(T? Value, PgRefusal? Refusal, PgOutage? Outage) where T : class
{
    public bool Succeeded => Value is not null;

    public bool IsRefusal(params string[] codes) => Refusal is { } refusal && codes.Contains(refusal.Code);

    public string Describe() => Refusal is { } refusal
        ? $"PG refused ({refusal.Status} {refusal.Code}): {refusal.Message}"
        : Outage?.Description ?? "PG answered";

    /// <summary>What a handler throws for this failed answer: an outage (or the PG still busy with the
    /// same key) is <see cref="PgUnavailableException"/>, retried until the PG answers; a refusal is
    /// <see cref="PgRefusedException"/>, retried within the budget and then dead-lettered.</summary>
    public Exception Failure(string what) => Outage is not null || IsRefusal(PgErrorCodes.IdempotentRequestProcessing)
        ? new PgUnavailableException($"{what}: {Describe()}")
        : new PgRefusedException($"{what}: {Describe()}");
}

/// <summary>The PG could not be reached or failed: a transient failure, so messaging retries the
/// handler for as long as the outage lasts, and never dead-letters it for this.</summary>
public sealed class PgUnavailableException(string message) : TransientFailureException(message);

/// <summary>The PG refused a call a handler needed: asking again may not help.</summary>
public sealed class PgRefusedException(string message) : Exception(message);

/// <summary>Payment's client of the PG's merchant API (Toss-style): create, confirm, cancel and read a
/// payment, each bounded by its own timeout (all attempts together; reads are retried). Never throws for what the PG answers or fails to answer.</summary>
public sealed class PgClient(HttpClient http, IOptions<PgSettings> options)
{
    private readonly PgSettings settings = options.Value;

    /// <summary>The base address and the timeouts come from the resilience pipeline (see PaymentModule).</summary>
    public static void Authorize(HttpClient http, PgSettings settings) =>
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(settings.SecretKey + ":")));

    /// <summary>Opens a payment; <paramref name="validUntil"/> closes its checkout early (the order's deadline).</summary>
    public Task<PgAnswer<PgCreatedPayment>> CreateAsync(string orderId, long amount, string orderName, string successUrl, string failUrl,
        string webhookUrl, DateTimeOffset? validUntil, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<PgCreatedPayment>(HttpMethod.Post, "v1/payments",
            new { orderId, amount, orderName, successUrl, failUrl, webhookUrl, validUntil }, idempotencyKey, settings.Timeout, cancellationToken);

    public Task<PgAnswer<PgPayment>> ConfirmAsync(string paymentKey, string orderId, long amount, string idempotencyKey,
        CancellationToken cancellationToken) =>
        SendAsync<PgPayment>(HttpMethod.Post, "v1/payments/confirm", new { paymentKey, orderId, amount }, idempotencyKey,
            settings.ConfirmTimeout, cancellationToken);

    /// <summary>Refunds <paramref name="amount"/> of a captured payment, or, without an amount, refunds
    /// everything or voids a payment the buyer has not paid yet.</summary>
    public Task<PgAnswer<PgPayment>> CancelAsync(string paymentKey, string reason, long? amount, string idempotencyKey,
        CancellationToken cancellationToken) =>
        SendAsync<PgPayment>(HttpMethod.Post, $"v1/payments/{Uri.EscapeDataString(paymentKey)}/cancel",
            new { cancelReason = reason, cancelAmount = amount }, idempotencyKey, settings.Timeout, cancellationToken);

    public Task<PgAnswer<PgPayment>> GetAsync(string paymentKey, CancellationToken cancellationToken) =>
        SendAsync<PgPayment>(HttpMethod.Get, $"v1/payments/{Uri.EscapeDataString(paymentKey)}", null, null, settings.Timeout, cancellationToken);

    public Task<PgAnswer<PgPayment>> GetByOrderIdAsync(string orderId, CancellationToken cancellationToken) =>
        SendAsync<PgPayment>(HttpMethod.Get, $"v1/payments/orders/{Uri.EscapeDataString(orderId)}", null, null, settings.Timeout, cancellationToken);

    private async Task<PgAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, TimeSpan timeout,
        CancellationToken cancellationToken) where T : class
    {
        // POSTs are left unmarked, so they are repeated only when they never reached the PG: although the PG
        // honours the Idempotency-Key, a repeat while the first is still in flight is refused as
        // IDEMPOTENT_REQUEST_PROCESSING, and the callers already read the payment back after an outage.
        using var request = new HttpRequestMessage(method, path).WithTimeout(timeout);
        if (body is not null) request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var value = await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, cancellationToken);
                return value is not null
                    ? new PgAnswer<T>(value, null, null)
                    : new PgAnswer<T>(null, null, new PgOutage(PgOutageKind.Unreachable, $"PG answered {method} {path} with an empty body"));
            }

            if ((int)response.StatusCode >= 500)
                return new PgAnswer<T>(null, null, new PgOutage(PgOutageKind.ServerError, $"PG answered {method} {path} with {(int)response.StatusCode}"));
            return new PgAnswer<T>(null, await ReadRefusalAsync(response, cancellationToken), null);
        }
        catch (Exception ex) when (InternalCalls.IsTimeout(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new PgAnswer<T>(null, null, new PgOutage(PgOutageKind.TimedOut, $"PG did not answer {method} {path} within {timeout.TotalSeconds:0.#} s"));
        }
        catch (Exception ex) when (InternalCalls.IsBreakerOpen(ex))
        {
            return new PgAnswer<T>(null, null, new PgOutage(PgOutageKind.Unreachable, $"PG call {method} {path} not sent: the PG's circuit breaker is open"));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return new PgAnswer<T>(null, null, new PgOutage(PgOutageKind.Unreachable, $"PG call {method} {path} failed: {ex.Message}"));
        }
    }

    private static async Task<PgRefusal> ReadRefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = problem.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            return new PgRefusal(status, Text("code") ?? "UNKNOWN", Text("message") ?? Text("detail") ?? response.ReasonPhrase ?? "");
        }
        catch (JsonException)
        {
            return new PgRefusal(status, "UNKNOWN", response.ReasonPhrase ?? "");
        }
    }
}
