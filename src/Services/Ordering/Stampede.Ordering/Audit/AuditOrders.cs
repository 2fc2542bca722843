using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Ordering.Audit;

/// <summary>An order that is paid and holds the payment that paid it.</summary>
public sealed record PaidOrder(Guid OrderId, Guid PaymentId, DateTimeOffset PaidAt);

/// <summary>An order still in a non-final state well past the time it should have moved on.</summary>
public sealed record StuckOrder(Guid OrderId, string Status, DateTimeOffset PaymentDeadline, DateTimeOffset UpdatedAt);

public sealed record OrderingAudit(IReadOnlyList<PaidOrder> Paid, IReadOnlyList<StuckOrder> Stuck);

/// <summary><c>GET /admin/audit?graceSeconds=</c>, what `./stampede audit` asks ordering: the paid
/// orders with their payment (payment's captures and inventory's commits are checked against
/// them), and the orders stuck in a non-final state: unpaid past their deadline plus the grace,
/// or cancelling for longer than the grace.</summary>
public static class AuditOrders
{
    public const int DefaultGraceSeconds = 120;

    public static async Task<Results<Ok<OrderingAudit>, ValidationProblem>> HandleAsync(
        int? graceSeconds, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (graceSeconds is < 0 or > 86_400) return FieldErrors.Single("graceSeconds", "The grace must be 0 to 86400 seconds.");
        var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(graceSeconds ?? DefaultGraceSeconds);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var paid = await connection.QueryAsync<PaidOrder>(new CommandDefinition(
            "SELECT id AS OrderId, payment_id AS PaymentId, updated_at AS PaidAt FROM orders WHERE status = 'Paid' ORDER BY created_at",
            transaction: transaction, cancellationToken: cancellationToken));
        var stuck = await connection.QueryAsync<StuckOrder>(new CommandDefinition("""
            SELECT id AS OrderId, status AS Status, payment_deadline AS PaymentDeadline, updated_at AS UpdatedAt FROM orders
            WHERE (status IN ('AwaitingStock', 'AwaitingPayment') AND payment_deadline < @cutoff)
               OR (status = 'Cancelling' AND updated_at < @cutoff)
            ORDER BY created_at LIMIT 1000
            """, new { cutoff }, transaction, cancellationToken: cancellationToken));
        return TypedResults.Ok(new OrderingAudit([.. paid], [.. stuck]));
    }
}
