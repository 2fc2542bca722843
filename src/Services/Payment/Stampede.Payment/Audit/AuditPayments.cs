using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Payment.Audit;

/// <summary>A payment that holds the buyer's money: captured and not (fully) refunded.</summary>
public sealed record HeldMoney(Guid PaymentId, Guid OrderId, string Status, long CapturedAmount, long RefundedAmount, DateTimeOffset UpdatedAt);

/// <summary>A payment whose amounts disagree with its own ledger.</summary>
public sealed record PaymentDrift(Guid PaymentId, long CapturedAmount, long LedgerCaptured, long RefundedAmount, long LedgerRefunded);

public sealed record PaymentAudit(IReadOnlyList<HeldMoney> Held, IReadOnlyList<PaymentDrift> Drift);

/// <summary><c>GET /admin/audit</c>, what `./stampede audit` asks payment: every payment that still
/// holds money (each must belong to a paid order, or be on its way back), and every payment whose
/// captured or refunded amount differs from the sum of its ledger.</summary>
public static class AuditPayments
{
    public static async Task<Ok<PaymentAudit>> HandleAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var held = await connection.QueryAsync<HeldMoney>(new CommandDefinition("""
            SELECT id AS PaymentId, order_id AS OrderId, status AS Status, captured_amount AS CapturedAmount,
                   refunded_amount AS RefundedAmount, updated_at AS UpdatedAt
            FROM payments WHERE captured_amount > refunded_amount ORDER BY created_at
            """, transaction: transaction, cancellationToken: cancellationToken));
        var drift = await connection.QueryAsync<PaymentDrift>(new CommandDefinition("""
            SELECT p.id AS PaymentId, p.captured_amount AS CapturedAmount, coalesce(l.captured, 0) AS LedgerCaptured,
                   p.refunded_amount AS RefundedAmount, coalesce(l.refunded, 0) AS LedgerRefunded
            FROM payments p
            LEFT JOIN (SELECT payment_id,
                              sum(amount) FILTER (WHERE kind = 'captured')::bigint AS captured,
                              sum(amount) FILTER (WHERE kind = 'refunded')::bigint AS refunded
                       FROM payment_ledger GROUP BY payment_id) l ON l.payment_id = p.id
            WHERE p.captured_amount <> coalesce(l.captured, 0) OR p.refunded_amount <> coalesce(l.refunded, 0)
            ORDER BY p.created_at LIMIT 1000
            """, transaction: transaction, cancellationToken: cancellationToken));
        return TypedResults.Ok(new PaymentAudit([.. held], [.. drift]));
    }
}
