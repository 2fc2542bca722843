using System.Globalization;

namespace Stampede.PgSimulator;

/// <summary>Settings under <c>PgSim</c>.</summary>
public sealed class PgSimulatorOptions
{
    public const string Section = "PgSim";

    /// <summary>The merchant's secret key: merchant calls send <c>Authorization: Basic base64(secretKey + ":")</c>.</summary>
    public string SecretKey { get; set; } = "test_sk_stampede";

    /// <summary>Base of the checkout URLs handed out (e.g. <c>http://localhost:5090</c>); the
    /// request's own base when empty.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where webhooks go when a payment was created without its own <c>webhookUrl</c>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Key of the HMAC-SHA256 webhook signature.</summary>
    public string WebhookSecret { get; set; } = "test_whsec_stampede";

    /// <summary>Waits between webhook attempts, comma separated: <c>250ms</c>, <c>1s</c>, <c>2m</c>
    /// or <c>00:00:01</c>. The last one repeats when more attempts are allowed than listed.</summary>
    public string WebhookRetryDelays { get; set; } = "1s,2s,5s,10s,30s";

    /// <summary>Attempts per webhook delivery, the first included; one more than the listed
    /// delays when not set.</summary>
    public int? WebhookMaxAttempts { get; set; }

    /// <summary>How long one webhook attempt may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A payment the buyer has not answered within this time expires.</summary>
    public TimeSpan CheckoutExpiry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A payment the buyer approved but the merchant has not confirmed within this time
    /// expires (Toss allows 10 minutes).</summary>
    public TimeSpan ConfirmExpiry { get; set; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<TimeSpan> RetryDelays() =>
        [.. WebhookRetryDelays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseDelay)];

    public int MaxAttempts() => WebhookMaxAttempts ?? RetryDelays().Count + 1;

    private static TimeSpan ParseDelay(string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            return TimeSpan.FromMilliseconds(ms);
        if (text.EndsWith('s') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
            return TimeSpan.FromSeconds(s);
        if (text.EndsWith('m') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
            return TimeSpan.FromMinutes(m);
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
        throw new FormatException($"PgSim:WebhookRetryDelays: '{text}' is not a delay like 250ms, 1s, 2m or 00:00:01.");
    }
}
