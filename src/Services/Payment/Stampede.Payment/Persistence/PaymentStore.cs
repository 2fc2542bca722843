using Dapper;
using Npgsql;
using Stampede.Messaging;
using Stampede.Payment.Ledger;
using Stampede.Payment.Payments;

namespace Stampede.Payment.Persistence;

/// <summary>Reads and writes payments. Every change is written under the version it was decided on
/// (<c>UPDATE ... WHERE id = @id AND version = @version</c>), with its new ledger rows and the events
/// it raised (through the outbox), in the caller's transaction.</summary>
public sealed class PaymentStore(IOutbox outbox)
{
    private const int MaxAttempts = 5;

    private const string Columns = """
        id, order_id, order_number, user_id, order_name, amount, currency, pg_order_id, payment_key, payment_url, status,
        captured_amount, refunded_amount, failure_reason, created_at, updated_at, version
        """;

    public Task<Payments.Payment?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, CancellationToken cancellationToken) =>
        FindWhereAsync(connection, transaction, "id = @value", id, cancellationToken);

    public Task<Payments.Payment?> FindByOrderIdAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid orderId,
        CancellationToken cancellationToken) =>
        FindWhereAsync(connection, transaction, "order_id = @value", orderId, cancellationToken);

    public Task<Payments.Payment?> FindByPaymentKeyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string paymentKey,
        CancellationToken cancellationToken) =>
        FindWhereAsync(connection, transaction, "payment_key = @value", paymentKey, cancellationToken);

    /// <summary>Inserts a new payment unless its order already has one; false (nothing written) then.</summary>
    // No conflict target: two concurrent openings of one order carry the same order id, PG order id
    // and payment key, and a target on one of them would let the others' unique indexes raise.
    public async Task<bool> TryInsertAsync(Payments.Payment payment, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var inserted = await transaction.Connection!.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO payments ({Columns})
            VALUES (@Id, @OrderId, @OrderNumber, @UserId, @OrderName, @Amount, @Currency, @PgOrderId, @PaymentKey, @PaymentUrl, @Status,
                    @CapturedAmount, @RefundedAmount, @FailureReason, @CreatedAt, @UpdatedAt, @Version + 1)
            ON CONFLICT DO NOTHING
            """, Parameters(payment), transaction, cancellationToken: cancellationToken));
        if (inserted == 0) return false;
        await WriteChangesAsync(payment, transaction, cancellationToken);
        return true;
    }

    /// <summary>Loads the payment, lets <paramref name="decide"/> change it, and saves under the version
    /// read. When a concurrent writer won, the payment is read again (READ COMMITTED: the next statement
    /// sees the winner's commit) and decided afresh, so a decision is never made on stale state. Null
    /// when the payment does not exist.</summary>
    public async Task<Payments.Payment?> ChangeAsync(NpgsqlTransaction transaction, Guid paymentId, Action<Payments.Payment> decide,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var payment = await FindAsync(transaction.Connection!, transaction, paymentId, cancellationToken);
            if (payment is null) return null;
            decide(payment);
            if (await TrySaveAsync(payment, transaction, cancellationToken)) return payment;
            if (attempt == MaxAttempts) throw new PaymentChangedConcurrentlyException(paymentId);
        }
    }

    /// <summary><see cref="ChangeAsync(NpgsqlTransaction, Guid, Action{Payments.Payment}, CancellationToken)"/>
    /// in a transaction of its own, committed before returning.</summary>
    public async Task<Payments.Payment?> ChangeAsync(NpgsqlDataSource database, Guid paymentId, Action<Payments.Payment> decide,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var payment = await ChangeAsync(transaction, paymentId, decide, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return payment;
    }

    private async Task<bool> TrySaveAsync(Payments.Payment payment, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (!payment.HasChanges) return true;
        var updated = await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE payments SET status = @Status, captured_amount = @CapturedAmount, refunded_amount = @RefundedAmount,
                                failure_reason = @FailureReason, updated_at = @UpdatedAt, version = version + 1
            WHERE id = @Id AND version = @Version
            """, Parameters(payment), transaction, cancellationToken: cancellationToken));
        if (updated == 0) return false;
        await WriteChangesAsync(payment, transaction, cancellationToken);
        return true;
    }

    private async Task WriteChangesAsync(Payments.Payment payment, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (payment.UnsavedLedger.Count > 0)
        {
            await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
                INSERT INTO payment_ledger (payment_id, kind, amount, pg_transaction_key, reason, at)
                VALUES (@PaymentId, @Kind, @Amount, @PgTransactionKey, @Reason, @At)
                """,
                payment.UnsavedLedger.Select(entry => new { PaymentId = payment.Id, entry.Kind, entry.Amount, entry.PgTransactionKey, entry.Reason, entry.At }),
                transaction, cancellationToken: cancellationToken));
        }

        foreach (var @event in payment.PendingEvents)
            await outbox.EnqueueAsync(@event, transaction, cancellationToken);
        payment.MarkSaved();
    }

    private static async Task<Payments.Payment?> FindWhereAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where,
        object value, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PaymentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM payments WHERE {where}", new { value }, transaction, cancellationToken: cancellationToken));
        if (row is null) return null;
        var ledger = (await connection.QueryAsync<LedgerRow>(new CommandDefinition(
            "SELECT kind, amount, at, pg_transaction_key, reason FROM payment_ledger WHERE payment_id = @id ORDER BY id",
            new { id = row.Id }, transaction, cancellationToken: cancellationToken)))
            .Select(entry => new LedgerEntry(entry.Kind, entry.Amount, entry.At, entry.PgTransactionKey, entry.Reason));
        return Payments.Payment.Restore(row.Id, row.OrderId, row.OrderNumber, row.UserId, row.OrderName, row.Amount, row.Currency, row.PgOrderId,
            row.PaymentKey, row.PaymentUrl, Enum.Parse<PaymentStatus>(row.Status), row.CapturedAmount, row.RefundedAmount, row.FailureReason,
            row.CreatedAt, row.UpdatedAt, row.Version, ledger);
    }

    private static object Parameters(Payments.Payment payment) => new
    {
        payment.Id, payment.OrderId, payment.OrderNumber, payment.UserId, payment.OrderName, payment.Amount, payment.Currency, payment.PgOrderId,
        payment.PaymentKey, payment.PaymentUrl, Status = payment.Status.ToString(), payment.CapturedAmount, payment.RefundedAmount,
        payment.FailureReason, payment.CreatedAt, payment.UpdatedAt, payment.Version,
    };

    private sealed class PaymentRow
    {
        public Guid Id { get; init; }
        public Guid OrderId { get; init; }
        public string OrderNumber { get; init; } = "";
        public Guid UserId { get; init; }
        public string OrderName { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public string PgOrderId { get; init; } = "";
        public string PaymentKey { get; init; } = "";
        public string PaymentUrl { get; init; } = "";
        public string Status { get; init; } = "";
        public long CapturedAmount { get; init; }
        public long RefundedAmount { get; init; }
        public string? FailureReason { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public int Version { get; init; }
    }

    private sealed class LedgerRow
    {
        public string Kind { get; init; } = "";
        public long Amount { get; init; }
        public DateTimeOffset At { get; init; }
        public string? PgTransactionKey { get; init; }
        public string? Reason { get; init; }
    }
}

/// <summary>The payment kept changing under every attempt to change it; the caller retries later.</summary>
public sealed class PaymentChangedConcurrentlyException(Guid paymentId)
    : Exception($"Payment {paymentId} changed concurrently on every attempt; try again.");
