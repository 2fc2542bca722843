using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Stampede.Gateway.Resilience;

/// <summary>YARP's passive health check, with the breaker's rules: each destination keeps the
/// outcomes of its recent calls, and one failing too often (see <see cref="BreakerSettings"/>) is
/// marked unhealthy for the break, so requests go to the cluster's other destinations, or get a
/// 503 when none is left.</summary>
public sealed class ServiceFailurePolicy(
    BreakerSettings settings, IDestinationHealthUpdater health, TimeProvider time, ILogger<ServiceFailurePolicy> logger) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "ServiceFailures";

    private readonly ConditionalWeakTable<DestinationState, Outcomes> outcomes = new();

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (IsServiceFailure(context) is not { } failed) return;
        var now = time.GetUtcNow();
        if (!outcomes.GetValue(destination, _ => new Outcomes()).RecordAndTrip(now, failed, settings)) return;
        logger.LogWarning("Destination {Destination} of {Service} taken out for {BreakDuration} after repeated failures",
            destination.Model.Config.Address, cluster.ClusterId, settings.BreakDuration);
        health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, settings.BreakDuration);
    }

    /// <summary>How long until the first destination taken out by this policy gets traffic again;
    /// null when none of them is out.</summary>
    public TimeSpan? UntilFirstReturns(IEnumerable<DestinationState> destinations)
    {
        var now = time.GetUtcNow();
        TimeSpan? first = null;
        foreach (var destination in destinations)
            if (outcomes.TryGetValue(destination, out var state) && state.OutUntil > now && (first is null || state.OutUntil - now < first))
                first = state.OutUntil - now;
        return first;
    }

    /// <summary>What counts against a destination: no connection, a timeout, a broken answer, or
    /// a 500/502/504 answer. Null when the call says nothing about it: the caller hung up or sent too large
    /// a body.</summary>
    private static bool? IsServiceFailure(HttpContext context) =>
        context.Features.Get<IForwarderErrorFeature>()?.Error switch
        {
            // A service's own 503 (a dependency of it is down) is an answer, not a failure of it.
            null or ForwarderError.None => context.Response.StatusCode is 500 or 502 or 504,
            ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders
                or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination => true,
            _ => null,
        };

    private sealed class Outcomes
    {
        private readonly Queue<(DateTimeOffset At, bool Failed)> recent = new();
        private int failures;
        private bool onProbation;

        public DateTimeOffset OutUntil { get; private set; }

        /// <summary>Records one outcome; true when the destination must be taken out now.</summary>
        public bool RecordAndTrip(DateTimeOffset now, bool failed, BreakerSettings settings)
        {
            lock (recent)
            {
                // Back after a break: the first answer decides, as a half-open breaker's probe does.
                if (onProbation)
                {
                    onProbation = false;
                    return failed && Trip(now, settings);
                }
                recent.Enqueue((now, failed));
                if (failed) failures++;
                while (recent.Count > 0 && now - recent.Peek().At > settings.SamplingDuration)
                    if (recent.Dequeue().Failed) failures--;
                return recent.Count >= settings.MinimumThroughput && failures >= settings.FailureRatio * recent.Count && Trip(now, settings);
            }
        }

        private bool Trip(DateTimeOffset now, BreakerSettings settings)
        {
            recent.Clear();
            failures = 0;
            onProbation = true;
            OutUntil = now + settings.BreakDuration;
            return true;
        }
    }
}
