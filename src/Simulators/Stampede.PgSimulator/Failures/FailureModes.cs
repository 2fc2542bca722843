using System.Text.Json.Serialization;
using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Failures;

/// <summary>The failures the simulator can be told to act out.</summary>
public static class FailureMode
{
    /// <summary>The buyer's approve acts as a card rejection.</summary>
    public const string Decline = "decline";
    /// <summary>Confirm waits <c>delayMs</c> (2 s by default), then succeeds.</summary>
    public const string SlowConfirm = "slow-confirm";
    /// <summary>Confirm waits longer than a client would (<c>delayMs</c>, 30 s by default), then
    /// captures anyway: the client has given up but the money is taken, as with a real PG.</summary>
    public const string Timeout = "timeout";
    /// <summary>Each webhook delivery is sent twice with the same delivery id.</summary>
    public const string DuplicateWebhook = "duplicate-webhook";
    /// <summary>The merchant API answers 500 <c>PROVIDER_ERROR</c> and changes nothing.</summary>
    public const string ServerError = "server-error";
    /// <summary>Webhook attempts count as failed without being sent, so retries happen.</summary>
    public const string WebhookFail = "webhook-fail";

    public static readonly IReadOnlyList<string> All = [Decline, SlowConfirm, Timeout, DuplicateWebhook, ServerError, WebhookFail];

    public static TimeSpan DefaultDelay(string mode) => mode == Timeout ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2);
}

/// <summary>The merchant operations a <c>server-error</c> rule can be narrowed to.</summary>
public static class MerchantOperation
{
    public const string Create = "create";
    public const string Confirm = "confirm";
    public const string Cancel = "cancel";
    public const string Get = "get";

    public static readonly IReadOnlyList<string> All = [Create, Confirm, Cancel, Get];
}

/// <summary>One switched-on failure. Without orderId and paymentKey it applies to every payment;
/// with <see cref="Remaining"/> it switches itself off after that many uses.</summary>
public sealed record FailureRule(
    string Id,
    string Mode,
    string? OrderId,
    string? PaymentKey,
    string? Operation,
    int? Remaining,
    int? DelayMs,
    DateTimeOffset CreatedAt)
{
    [JsonIgnore]
    public TimeSpan Delay => DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : FailureMode.DefaultDelay(Mode);

    public bool Targets(string mode, string? orderId, string? paymentKey, string? operation) =>
        Mode == mode
        && (OrderId is null || OrderId == orderId)
        && (PaymentKey is null || PaymentKey == paymentKey)
        && (Operation is null || operation is null || Operation == operation);

    /// <summary>Rules aimed at one payment win over rules aimed at an order, which win over global ones.</summary>
    [JsonIgnore]
    public int Specificity => (PaymentKey is null ? 0 : 2) + (OrderId is null ? 0 : 1);
}

/// <summary>The switched-on failures, in memory. Every use of a counted rule is taken under one
/// lock, so a rule with count N acts exactly N times even under parallel requests.</summary>
public sealed class FailureModes
{
    private readonly Lock gate = new();
    private readonly List<FailureRule> rules = [];

    public IReadOnlyList<FailureRule> List()
    {
        lock (gate) return [.. rules];
    }

    public void Add(FailureRule rule)
    {
        lock (gate) rules.Add(rule);
    }

    public bool Remove(string id)
    {
        lock (gate) return rules.RemoveAll(r => r.Id == id) > 0;
    }

    public void Clear()
    {
        lock (gate) rules.Clear();
    }

    /// <summary>Uses up one turn of the most specific rule of <paramref name="mode"/> that targets
    /// this payment, and returns it; null when no rule applies.</summary>
    public FailureRule? Take(string mode, string? orderId, string? paymentKey, string? operation = null)
    {
        lock (gate)
        {
            var rule = rules.Where(r => r.Targets(mode, orderId, paymentKey, operation))
                .OrderByDescending(r => r.Specificity).FirstOrDefault();
            if (rule is null) return null;
            var index = rules.IndexOf(rule);
            if (rule.Remaining is { } remaining)
            {
                if (remaining <= 1) rules.RemoveAt(index);
                else rules[index] = rule with { Remaining = remaining - 1 };
            }
            return rule;
        }
    }

    /// <summary>The 500 a <c>server-error</c> rule makes the merchant operation answer, before it
    /// touches anything; null when no rule applies.</summary>
    public PgError? ServerError(string operation, string? orderId, string? paymentKey) =>
        Take(FailureMode.ServerError, orderId, paymentKey, operation) is null
            ? null
            : new PgError(500, PgErrorCodes.ProviderError, "The payment provider failed to process the request (simulated).");
}
