using System.Net;
using System.Net.Sockets;
using Npgsql;
using Polly;
using RabbitMQ.Client.Exceptions;

namespace Stampede.Messaging;

/// <summary>Tells a failure of the world around a handler (retried without limit) from one of the
/// handler or its message (retried within <see cref="MessagingOptions.RetryDelays"/>, then dead-lettered).</summary>
internal static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        TransientFailureException => true,
        NpgsqlException { IsTransient: true } => true,
        SocketException or TimeoutException or BrokerUnreachableException or AlreadyClosedException => true,
        // The resilience pipeline did not send the call: its timeout, or every breaker open.
        ExecutionRejectedException => true,
        HttpRequestException { StatusCode: null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
