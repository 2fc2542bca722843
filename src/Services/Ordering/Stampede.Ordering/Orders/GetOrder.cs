using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Ordering.Http;
using Stampede.Ordering.Persistence;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Orders;

/// <summary>GET /orders/{id} (the buyer's own order; anyone else's is not found) and GET /admin/orders/{id}.</summary>
public static class GetOrder
{
    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> HandleAsync(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource database, OrderStore orders, CancellationToken cancellationToken)
    {
        var order = await FindAsync(database, orders, id, cancellationToken);
        return order is not null && order.UserId == user.UserId()
            ? TypedResults.Ok(OrderDetails.From(order))
            : Problems.OrderNotFound(id);
    }

    public static async Task<Results<Ok<OrderDetails>, ProblemHttpResult>> HandleForAdminAsync(
        Guid id, NpgsqlDataSource database, OrderStore orders, CancellationToken cancellationToken) =>
        await FindAsync(database, orders, id, cancellationToken) is { } order
            ? TypedResults.Ok(OrderDetails.From(order))
            : Problems.OrderNotFound(id);

    private static async Task<Order?> FindAsync(NpgsqlDataSource database, OrderStore orders, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await orders.FindAsync(connection, null, id, cancellationToken);
    }
}
