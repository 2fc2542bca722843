using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Webhooks;

public sealed record WebhookReceipt(string DeliveryId, bool Duplicate);

/// <summary>The dependencies of the webhook endpoint.</summary>
public sealed record PgWebhookServices(NpgsqlDataSource Database, PaymentStore Payments, PgClient Pg, IOptions<PgSettings> PgSettings,
    IOptions<PaymentSettings> Settings, TimeProvider Time, ILogger<PgWebhookServices> Logger);

/// <summary>POST /payments/webhooks/pg: the PG announces a status change. Anonymous, so it must prove
/// itself: an HMAC-SHA256 signature over "{timestamp}.{body}" with the webhook secret, and a fresh
/// timestamp (else 401). The body is only a hint: the payment is read back from the PG and recorded
/// (<see cref="Payments.Payment.ApplyPgState"/>), once per delivery id. Any 2xx stops the PG's retries, so
/// a 503 is answered only when the PG could not be read back.</summary>
public static class PgWebhook
{
    public const string SignatureHeader = "X-PgSim-Signature";
    public const string TimestampHeader = "X-PgSim-Timestamp";
    public const string DeliveryIdHeader = "X-PgSim-Delivery-Id";
    private const string SignatureVersion = "v1=";

    public static async Task<Results<Ok<WebhookReceipt>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        HttpRequest request, [AsParameters] PgWebhookServices services, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        if (Verify(request, body, services) is { } refusal) return refusal;

        var deliveryId = request.Headers[DeliveryIdHeader].ToString();
        if (deliveryId.Length is 0 or > 200)
            return PaymentProblems.Invalid(DeliveryIdHeader, $"The {DeliveryIdHeader} header must be 1 to 200 characters.");
        if (PaymentKeyOf(body) is not { } paymentKey)
            return PaymentProblems.Invalid("data.paymentKey", "The body must be a PG event whose data carries the paymentKey.");

        await using var connection = await services.Database.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM pg_webhook_deliveries WHERE delivery_id = @deliveryId)", new { deliveryId },
                cancellationToken: cancellationToken)))
            return TypedResults.Ok(new WebhookReceipt(deliveryId, Duplicate: true));

        var payment = await services.Payments.FindByPaymentKeyAsync(connection, null, paymentKey, cancellationToken);
        PgPayment? state = null;
        if (payment is null)
        {
            services.Logger.LogWarning("PG webhook {DeliveryId} is about payment {PaymentKey}, which is not ours; ignored", deliveryId, paymentKey);
        }
        else
        {
            var read = await services.Pg.GetAsync(paymentKey, cancellationToken);
            if (read.Value is null)
            {
                services.Logger.LogWarning("PG webhook {DeliveryId}: could not read payment {PaymentKey} back ({Reason}); the PG will retry",
                    deliveryId, paymentKey, read.Describe());
                return PaymentProblems.PgUnavailable(request.HttpContext, read.Outage ?? new PgOutage(PgOutageKind.Unreachable, read.Describe()));
            }

            state = read.Value;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Racing a duplicate of itself, the second insert waits for the first to commit and then inserts nothing.
        var recorded = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pg_webhook_deliveries (delivery_id, payment_key, pg_status, received_at) VALUES (@deliveryId, @paymentKey, @status, @now)
            ON CONFLICT (delivery_id) DO NOTHING
            """, new { deliveryId, paymentKey, status = state?.Status, now = services.Time.GetUtcNow() }, transaction,
            cancellationToken: cancellationToken));
        if (recorded == 0) return TypedResults.Ok(new WebhookReceipt(deliveryId, Duplicate: true));
        if (payment is not null && state is not null)
            await services.Payments.ChangeAsync(transaction, payment.Id, current => current.ApplyPgState(state, services.Time.GetUtcNow()), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(deliveryId, Duplicate: false));
    }

    /// <summary>The refusal for a webhook that is not provably the PG's and recent; null when it is.</summary>
    private static ProblemHttpResult? Verify(HttpRequest request, byte[] body, PgWebhookServices services)
    {
        var timestampText = request.Headers[TimestampHeader].ToString();
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
            return Unauthorized($"The {TimestampHeader} header is missing or not a unix time.");
        var signedAt = timestamp > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if ((services.Time.GetUtcNow() - signedAt).Duration() > services.Settings.Value.WebhookTolerance)
            return Unauthorized("The webhook's timestamp is too old or in the future.");

        var expected = Encoding.ASCII.GetBytes(SignatureVersion + Convert.ToHexStringLower(Sign(services.PgSettings.Value.WebhookSecret, timestampText, body)));
        var signatures = request.Headers[SignatureHeader].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        // Every candidate is compared in constant time, so the answer's timing says nothing about the secret.
        var valid = false;
        foreach (var signature in signatures)
            valid |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
        return valid ? null : Unauthorized("The webhook signature is invalid.");
    }

    private static byte[] Sign(string secret, string timestamp, byte[] body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static string? PaymentKeyOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement is { ValueKind: JsonValueKind.Object } root
                   && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                   && data.TryGetProperty("paymentKey", out var key) && key.ValueKind == JsonValueKind.String
                   && key.GetString() is { Length: > 0 and <= 200 } paymentKey
                ? paymentKey
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
