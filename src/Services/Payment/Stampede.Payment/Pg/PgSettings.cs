namespace Stampede.Payment.Pg;

/// <summary>How payment reaches the PG (section <c>Pg</c>).</summary>
public sealed class PgSettings
{
    public const string Section = "Pg";

    /// <summary>The PG's merchant API, e.g. the simulator at <c>http://127.0.0.1:5190</c>.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5190";

    /// <summary>The merchant's secret key: calls send <c>Authorization: Basic base64(secretKey + ":")</c>.</summary>
    public string SecretKey { get; set; } = "test_sk_stampede";

    /// <summary>Key of the HMAC-SHA256 signature on the PG's webhooks.</summary>
    public string WebhookSecret { get; set; } = "test_whsec_stampede";

    /// <summary>Longest wait for the PG's answer to a create, read or cancel.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for a confirm; a PG may take a while to capture.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
