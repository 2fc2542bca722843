namespace Stampede.Gateway.Resilience;

/// <summary>When a destination is taken out (section <c>Gateway:CircuitBreaker</c>): when at least
/// <see cref="FailureRatio"/> of at least <see cref="MinimumThroughput"/> calls to it within
/// <see cref="SamplingDuration"/> failed, it gets no traffic for <see cref="BreakDuration"/>; then
/// it is tried again, and a first failure takes it out again at once.</summary>
public sealed record BreakerSettings
{
    public const string Section = "Gateway:CircuitBreaker";
    public double FailureRatio { get; init; } = 0.5;
    public int MinimumThroughput { get; init; } = 10;
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>Per-service timeouts: <c>Gateway:Timeouts:{service}</c>, else <c>Gateway:DefaultTimeout</c>
/// (10 s). They are the cluster's activity timeout: how long the service may stay silent, so they
/// bound the wait for the response headers, while a body that keeps streaming may take longer.</summary>
public sealed class ServiceTimeouts(IConfiguration configuration)
{
    public TimeSpan For(string service) =>
        configuration.GetValue<TimeSpan?>($"Gateway:Timeouts:{service}")
        ?? configuration.GetValue("Gateway:DefaultTimeout", TimeSpan.FromSeconds(10));
}

/// <summary>Active health checks on each destination's <c>/health/ready</c> (section
/// <c>Gateway:HealthChecks</c>): a destination failing two probes in a row gets no traffic until a
/// probe succeeds again.</summary>
public sealed record HealthCheckSettings
{
    public const string Section = "Gateway:HealthChecks";
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
}
