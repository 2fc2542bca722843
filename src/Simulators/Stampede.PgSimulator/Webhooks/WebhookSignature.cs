using System.Security.Cryptography;
using System.Text;

namespace Stampede.PgSimulator.Webhooks;

/// <summary>How a webhook proves it comes from the PG: <c>X-PgSim-Signature: v1=&lt;hex&gt;</c>, the
/// lower-case hex HMAC-SHA256, keyed with the UTF-8 webhook secret, of the UTF-8 text
/// <c>"{X-PgSim-Timestamp}.{raw body}"</c>. The timestamp (unix seconds) is fresh on every attempt,
/// so a receiver can refuse old ones; the delivery id stays the same across attempts.</summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-PgSim-Signature";
    public const string TimestampHeader = "X-PgSim-Timestamp";
    public const string DeliveryIdHeader = "X-PgSim-Delivery-Id";
    public const string EventHeader = "X-PgSim-Event";
    public const string AttemptHeader = "X-PgSim-Attempt";
    public const string Version = "v1";

    public static string Compute(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"{Version}={Convert.ToHexStringLower(mac)}";
    }
}
