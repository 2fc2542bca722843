using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Ordering.Http;
using Stampede.Ordering.Persistence;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Orders;

public sealed record CancelledOrder(Guid OrderId, string Status);

/// <summary>POST /orders/{id}/cancel: the buyer cancels. Unpaid → Cancelled at once (200); paid →
/// Cancelling until payment reports the refund (202); any other state → 409. Racing a payment
/// capture, the order row's version lets exactly one of them win.</summary>
public static class CancelOrder
{
    public const string Reason = "Cancelled by the buyer";

    public static async Task<Results<Ok<CancelledOrder>, Accepted<CancelledOrder>, ProblemHttpResult>> HandleAsync(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource database, OrderStore orders, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.UserId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Order? order;
        try
        {
            order = await orders.ChangeAsync(transaction, id, candidate =>
            {
                if (candidate.UserId == userId) candidate.Cancel(Reason, time.GetUtcNow());
            }, cancellationToken);
        }
        catch (OrderRuleBrokenException broken)
        {
            return Problems.Conflict("Order cannot be cancelled", $"The order is {broken.Status}; {broken.Rule.Message}");
        }
        catch (OrderChangedConcurrentlyException)
        {
            return Problems.Conflict("Order is changing", "The order changed while cancelling; read it and try again.");
        }

        if (order is null || order.UserId != userId) return Problems.OrderNotFound(id);
        await transaction.CommitAsync(cancellationToken);

        var result = new CancelledOrder(order.Id, order.Status.ToString());
        return order.Status == OrderStatus.Cancelling
            ? TypedResults.Accepted($"orders/{order.Id}", result)
            : TypedResults.Ok(result);
    }
}
