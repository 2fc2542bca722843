using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Ordering.Http;

namespace Stampede.Ordering.Orders;

public sealed record PayableOrder(Guid OrderId, Guid UserId, string Status, long Total, string Currency);

/// <summary>GET /internal/orders/{id}: what payment needs to check a payment against its order.
/// Anonymous: internal endpoints are reachable only inside the private network (the gateway refuses
/// any path with an /internal segment).</summary>
public static class GetOrderForPayment
{
    public static async Task<Results<Ok<PayableOrder>, ProblemHttpResult>> HandleAsync(
        Guid id, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var order = await connection.QuerySingleOrDefaultAsync<PayableOrder>(new CommandDefinition(
            "SELECT id AS OrderId, user_id AS UserId, status AS Status, total AS Total, currency AS Currency FROM orders WHERE id = @id",
            new { id }, cancellationToken: cancellationToken));
        return order is not null ? TypedResults.Ok(order) : Problems.OrderNotFound(id);
    }
}
