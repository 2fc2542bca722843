using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Stampede.Gateway.Resilience;

/// <summary>Circuit breaker settings (section <c>Gateway:CircuitBreaker</c>), one breaker per service:
/// it opens when at least <see cref="FailureRatio"/> of at least <see cref="MinimumThroughput"/>
/// calls within <see cref="SamplingDuration"/> failed, stays open for <see cref="BreakDuration"/>,
/// then lets one probe through.</summary>
public sealed record BreakerSettings
{
    public const string Section = "Gateway:CircuitBreaker";
    public double FailureRatio { get; init; } = 0.5;
    public int MinimumThroughput { get; init; } = 10;
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>Per-service timeouts: <c>Gateway:Timeouts:{service}</c>, else <c>Gateway:DefaultTimeout</c>
/// (10 s). They bound the wait for the response headers; a body that is streaming may take longer.</summary>
public sealed class ServiceTimeouts(IConfiguration configuration)
{
    public TimeSpan For(string service) =>
        configuration.GetValue<TimeSpan?>($"Gateway:Timeouts:{service}")
        ?? configuration.GetValue("Gateway:DefaultTimeout", TimeSpan.FromSeconds(10));
}

/// <summary>One resilience pipeline per service: circuit breaker (outermost), one retry of an
/// idempotent request whose connection failed, and the service's timeout. While a breaker is open
/// the gateway answers 503 at once without calling the service.</summary>
public sealed class ServiceBreakers(BreakerSettings settings, ServiceTimeouts timeouts, TimeProvider time, ILogger<ServiceBreakers> logger)
{
    /// <summary>Set on the resilience context when the request may be sent twice (GET or HEAD, no body).</summary>
    public static readonly ResiliencePropertyKey<bool> MayRetryConnectFailure = new("gateway.may-retry");

    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> pipelines = new(StringComparer.OrdinalIgnoreCase);

    public BreakerSettings Settings => settings;

    public TimeSpan TimeoutFor(string service) => timeouts.For(service);

    public ResiliencePipeline<HttpResponseMessage> For(string service) => pipelines.GetOrAdd(service, Build);

    private ResiliencePipeline<HttpResponseMessage> Build(string service) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { Name = service, TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsServiceFailure(args.Outcome, args.Context)),
                OnOpened = args =>
                {
                    logger.LogWarning("Circuit for {Service} opened for {BreakDuration} after {Outcome}", service, args.BreakDuration, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    logger.LogInformation("Circuit for {Service} half-open: letting a probe through", service);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("Circuit for {Service} closed: the service answers again", service);
                    return ValueTask.CompletedTask;
                },
            })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                    && args.Context.Properties.GetValue(MayRetryConnectFailure, false)),
            })
            .AddTimeout(timeouts.For(service))
            .Build();

    /// <summary>What counts against a service: refused or broken connections, timeouts and 5xx
    /// answers. A caller who hangs up or sends too large a body is not the service's fault.</summary>
    private static bool IsServiceFailure(Outcome<HttpResponseMessage> outcome, ResilienceContext context) => outcome switch
    {
        _ when context.CancellationToken.IsCancellationRequested => false,
        { Exception: TimeoutRejectedException } => true,
        { Exception: HttpRequestException } => true,
        { Exception: not null } => false,
        { Result: { } response } => (int)response.StatusCode >= 500,
        _ => false,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.GetType().Name ?? $"HTTP {(int?)outcome.Result?.StatusCode}";
}
