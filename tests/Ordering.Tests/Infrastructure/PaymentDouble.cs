using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Stampede.Ordering.Tests.Infrastructure;

/// <summary>Test double of the payment service: answers POST /internal/payment-sessions, like payment
/// does, with one session per order id. Can be switched down to play an outage.</summary>
public sealed class PaymentDouble : NeighbourDouble
{
    private readonly ConcurrentDictionary<Guid, Session> sessions = new();
    private readonly ConcurrentQueue<SessionRequest> requests = new();
    private int refused;

    /// <summary>While true, every request gets a 503.</summary>
    public volatile bool Down;

    /// <summary>While true, every request is refused as invalid (400 naming <c>currency</c>).</summary>
    public volatile bool RefuseAsInvalid;

    public IReadOnlyList<SessionRequest> Requests => [.. requests];

    public int Refused => Volatile.Read(ref refused);

    public static async Task<PaymentDouble> StartNewAsync()
    {
        var started = new PaymentDouble();
        await started.StartAsync();
        return started;
    }

    public Session SessionOf(Guid orderId) => sessions[orderId];

    protected override void Map(WebApplication app) =>
        app.MapPost("/internal/payment-sessions", (SessionRequest request) =>
        {
            if (Down)
            {
                Interlocked.Increment(ref refused);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            // Payment's own rule: the PG accepts an order name of at most 200 characters.
            if (request.OrderName.Length > 200)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["orderName"] = ["The orderName must be at most 200 characters."] });
            if (RefuseAsInvalid)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["currency"] = ["The currency must be KRW."] });

            requests.Enqueue(request);
            var session = sessions.GetOrAdd(request.OrderId, _ =>
            {
                var paymentId = Guid.NewGuid();
                return new Session(paymentId, $"http://pg.test/checkout/{paymentId}");
            });
            return Results.Ok(session);
        });

    public sealed record SessionRequest(Guid OrderId, string OrderNumber, long Amount, string Currency, string OrderName, Guid UserId, DateTimeOffset? PayBy);

    public sealed record Session(Guid PaymentId, string PaymentUrl);
}
