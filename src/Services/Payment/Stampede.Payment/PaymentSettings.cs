namespace Stampede.Payment;

/// <summary>Payment's own addresses and limits (section <c>Payment</c>).</summary>
public sealed class PaymentSettings
{
    public const string Section = "Payment";

    /// <summary>Where the buyer's browser reaches payment from outside: the PG sends the buyer back to
    /// <c>{PublicBaseUrl}/payments/return/success</c> and <c>/fail</c>. By default through the gateway.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:8080/api/payment";

    /// <summary>Where the PG reaches payment directly with webhooks: <c>{WebhookBaseUrl}/payments/webhooks/pg</c>.</summary>
    public string WebhookBaseUrl { get; set; } = "http://127.0.0.1:5105";

    /// <summary>A webhook signed longer ago than this (or this far in the future) is refused as a possible replay.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When an order expires (or is cancelled unpaid), also cancel its open PG payment so the
    /// buyer can no longer pay it. Off: the session is only marked void here, and a payment that still
    /// arrives is captured and then refunded through the saga (the late-payment path).</summary>
    public bool VoidAtPg { get; set; } = true;

    public string SuccessUrl => PublicBaseUrl.TrimEnd('/') + "/payments/return/success";

    public string FailUrl => PublicBaseUrl.TrimEnd('/') + "/payments/return/fail";

    public string WebhookUrl => WebhookBaseUrl.TrimEnd('/') + "/payments/webhooks/pg";
}
