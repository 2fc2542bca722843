using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Stampede.ServiceDefaults.Http;

/// <summary>What one call through a resilient client says about itself (may it be repeated, how long
/// may it take), and how a caller recognises that the peer did not answer.</summary>
public static class InternalCalls
{
    private static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("stampede.calls.idempotent");
    private static readonly HttpRequestOptionsKey<TimeSpan> TimeoutKey = new("stampede.calls.timeout");

    /// <summary>Marks a call that the peer may receive twice with no harm (a read sent as POST, or a
    /// command the peer deduplicates by a key it carries), so it is retried on timeouts and 5xx too.</summary>
    public static HttpRequestMessage Idempotent(this HttpRequestMessage request)
    {
        request.Options.Set(IdempotentKey, true);
        return request;
    }

    /// <summary>Bounds this call (all attempts) by <paramref name="timeout"/> instead of the client's
    /// <see cref="InternalCallSettings.Timeout"/>.</summary>
    public static HttpRequestMessage WithTimeout(this HttpRequestMessage request, TimeSpan timeout)
    {
        request.Options.Set(TimeoutKey, timeout);
        return request;
    }

    /// <summary>GET, HEAD, OPTIONS, PUT and DELETE are idempotent by HTTP's definition; a POST only when marked.</summary>
    public static bool MayRepeat(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || (request.Options.TryGetValue(IdempotentKey, out var marked) && marked);

    internal static TimeSpan? TimeoutOf(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(TimeoutKey, out var timeout) ? timeout : null;

    /// <summary>True when the exception means the peer gave no usable answer (unreachable, too slow, an
    /// open breaker, a garbled body), as opposed to the caller itself giving up.</summary>
    public static bool IsUnanswered(Exception exception, CancellationToken callerToken) => exception switch
    {
        HttpRequestException or System.Text.Json.JsonException or ExecutionRejectedException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The call was given up because it took longer than its timeout.</summary>
    public static bool IsTimeout(Exception exception) => exception is TimeoutRejectedException;

    /// <summary>The call was not sent: every instance's breaker is open.</summary>
    public static bool IsBreakerOpen(Exception exception) => exception is BrokenCircuitException;
}
