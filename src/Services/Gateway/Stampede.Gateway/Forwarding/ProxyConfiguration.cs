using Stampede.Gateway.Resilience;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Stampede.Gateway.Forwarding;

/// <summary>YARP's routes and clusters, built from <see cref="ServiceDirectory"/>: for each service
/// a route <c>/api/{name}/{**rest}</c> and a cluster <c>{name}</c> with one destination per URL,
/// balanced by <c>Gateway:LoadBalancing</c> (PowerOfTwoChoices, or RoundRobin...), probed on
/// <c>/health/ready</c>, watched by <see cref="ServiceFailurePolicy"/>, with the service's timeout.</summary>
public static class ProxyConfiguration
{
    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(
        ServiceDirectory directory, IConfiguration configuration, BreakerSettings breaker, HealthCheckSettings health)
    {
        var timeouts = new ServiceTimeouts(configuration);
        var balancing = configuration.GetValue("Gateway:LoadBalancing", LoadBalancingPolicies.PowerOfTwoChoices);
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (service, destinations) in directory.All)
        {
            routes.Add(new RouteConfig
            {
                RouteId = service,
                ClusterId = service,
                Match = new RouteMatch { Path = $"/api/{service}/{{**rest}}" },
            });
            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                LoadBalancingPolicy = balancing,
                Destinations = destinations
                    .Select((address, i) => KeyValuePair.Create($"{service}-{i + 1}", new DestinationConfig { Address = address.ToString() }))
                    .ToDictionary(),
                HealthCheck = new HealthCheckConfig
                {
                    // No destination healthy means no destination at all: a 503, never a call into a dead one.
                    AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = health.Interval,
                        Timeout = health.Timeout,
                        Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                        Path = "/health/ready",
                    },
                    Passive = new PassiveHealthCheckConfig
                    {
                        Enabled = true,
                        Policy = ServiceFailurePolicy.PolicyName,
                        ReactivationPeriod = breaker.BreakDuration,
                    },
                },
                HttpRequest = new ForwarderRequestConfig
                {
                    ActivityTimeout = timeouts.For(service),
                    Version = System.Net.HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                },
            });
        }
        return (routes, clusters);
    }
}

/// <summary>YARP's handler, with the gateway's connect timeout (<c>Gateway:ConnectTimeout</c>, 2 s):
/// a service that does not accept a connection quickly is treated as down.</summary>
public sealed class GatewayHttpClientFactory(IConfiguration configuration) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = configuration.GetValue("Gateway:ConnectTimeout", TimeSpan.FromSeconds(2));
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
    }
}
