namespace Stampede.ServiceDefaults.Http;

/// <summary>How calls of one HTTP client are bounded and retried (section <c>InternalCalls:{name}</c>
/// overrides the defaults the registering module gives).</summary>
public sealed class InternalCallSettings
{
    public const string Section = "InternalCalls";

    /// <summary>Longest wait for a call, all attempts and retry delays together; a request may set its
    /// own with <see cref="InternalCalls.WithTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for one attempt of a call that may be retried. A call that may not be
    /// retried has only <see cref="Timeout"/>: cutting its only attempt short would gain nothing.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries after the first attempt (0: none).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay, doubled (with jitter) on each further retry. A retry that moves on
    /// after a refused connection or an open breaker does not wait.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Share of failed attempts to one instance, within <see cref="BreakerSamplingDuration"/>,
    /// that opens that instance's breaker.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts to one instance within the sampling window before its breaker may open (at least 2).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker refuses calls before it lets one through to test the instance.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal bool IsValid =>
        Timeout > TimeSpan.Zero && AttemptTimeout > TimeSpan.Zero && MaxRetries >= 0 && RetryDelay >= TimeSpan.Zero
        && BreakerFailureRatio is > 0 and <= 1 && BreakerMinimumThroughput >= 2
        && BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && BreakDuration >= TimeSpan.FromMilliseconds(500);
}
