using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stampede.Messaging;

/// <summary>Readiness: the broker connection is up and every subscription is consuming.</summary>
internal sealed class RabbitMqHealthCheck(BrokerConnection broker, MessageConsumers consumers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !broker.IsOpen ? new HealthCheckResult(context.Registration.FailureStatus, "No connection to RabbitMQ.")
            : !consumers.AllConsuming ? new HealthCheckResult(context.Registration.FailureStatus, "Not every subscription is consuming yet.")
            : HealthCheckResult.Healthy());
}
