using Dapper;
using Npgsql;
using Stampede.Messaging;
using Stampede.Ordering.Orders;

namespace Stampede.Ordering.Persistence;

/// <summary>Reads and writes <see cref="Order"/>s. Every change is written under the version it was
/// decided on (<c>UPDATE ... WHERE id = @id AND version = @version</c>), with its history rows and
/// the events the order raised, in the caller's transaction.</summary>
public sealed class OrderStore(IOutbox outbox)
{
    private const int MaxAttempts = 5;

    private const string FindSql = """
        SELECT id, order_number, user_id, status, total, currency, payment_deadline, reservation_id, payment_id,
               payment_url, created_at, updated_at, version
        FROM orders WHERE id = @id;
        SELECT sku_id, product_name, options_label, quantity, unit_price FROM order_lines WHERE order_id = @id ORDER BY line_number;
        SELECT status, at, reason FROM order_status_history WHERE order_id = @id ORDER BY id;
        SELECT payment_id, amount, disposition, recorded_at, updated_at FROM order_payments WHERE order_id = @id ORDER BY recorded_at, payment_id;
        """;

    public async Task<Order?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(FindSql, new { id }, transaction, cancellationToken: cancellationToken));
        var row = await results.ReadSingleOrDefaultAsync<OrderRow>();
        if (row is null) return null;
        var lines = (await results.ReadAsync<LineRow>()).Select(l => new OrderItem(l.SkuId, l.ProductName, l.OptionsLabel, l.Quantity, l.UnitPrice));
        var history = (await results.ReadAsync<HistoryRow>()).Select(h => new StatusChange(Enum.Parse<OrderStatus>(h.Status), h.At, h.Reason));
        var payments = (await results.ReadAsync<PaymentRow>()).Select(p =>
            new OrderPayment(p.PaymentId, p.Amount, Enum.Parse<PaymentDisposition>(p.Disposition), p.RecordedAt, p.UpdatedAt));
        return Order.Restore(row.Id, row.OrderNumber, row.UserId, Enum.Parse<OrderStatus>(row.Status), lines, row.Total, row.Currency,
            row.PaymentDeadline, row.ReservationId, row.PaymentId, row.PaymentUrl, row.CreatedAt, row.UpdatedAt, row.Version, history, payments);
    }

    public async Task InsertAsync(Order order, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO orders (id, order_number, user_id, status, total, currency, payment_deadline, reservation_id, payment_id,
                                payment_url, created_at, updated_at, version)
            VALUES (@Id, @OrderNumber, @UserId, @Status, @Total, @Currency, @PaymentDeadline, @ReservationId, @PaymentId,
                    @PaymentUrl, @CreatedAt, @UpdatedAt, @Version + 1)
            """, Parameters(order), transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_lines (order_id, line_number, sku_id, product_name, options_label, quantity, unit_price)
            VALUES (@OrderId, @LineNumber, @SkuId, @ProductName, @OptionsLabel, @Quantity, @UnitPrice)
            """,
            order.Lines.Select((line, index) => new
            {
                OrderId = order.Id, LineNumber = index + 1, line.SkuId, line.ProductName, line.OptionsLabel, line.Quantity, line.UnitPrice,
            }),
            transaction, cancellationToken: cancellationToken));
        await WriteChangesAsync(order, transaction, cancellationToken);
    }

    /// <summary>Writes the order's changes if nobody changed it since it was read; false (and nothing
    /// written) when another writer got there first.</summary>
    public async Task<bool> TrySaveAsync(Order order, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (!order.HasChanges) return true;
        var updated = await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE orders SET status = @Status, reservation_id = @ReservationId, payment_id = @PaymentId, payment_url = @PaymentUrl,
                              updated_at = @UpdatedAt, version = version + 1
            WHERE id = @Id AND version = @Version
            """, Parameters(order), transaction, cancellationToken: cancellationToken));
        if (updated == 0) return false;
        await WriteChangesAsync(order, transaction, cancellationToken);
        return true;
    }

    /// <summary>Loads the order, lets <paramref name="decide"/> change it, and saves under the version
    /// read. When a concurrent writer won, the order is read again (READ COMMITTED: the next
    /// statement sees the winner's commit) and decided afresh. Null when the order does not exist.</summary>
    public async Task<Order?> ChangeAsync(NpgsqlTransaction transaction, Guid orderId, Action<Order> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var order = await FindAsync(transaction.Connection!, transaction, orderId, cancellationToken);
            if (order is null) return null;
            decide(order);
            if (await TrySaveAsync(order, transaction, cancellationToken)) return order;
            if (attempt == MaxAttempts) throw new OrderChangedConcurrentlyException(orderId);
        }
    }

    private async Task WriteChangesAsync(Order order, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        if (order.UnsavedHistory.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO order_status_history (order_id, status, at, reason) VALUES (@OrderId, @Status, @At, @Reason)",
                order.UnsavedHistory.Select(change => new { OrderId = order.Id, Status = change.Status.ToString(), change.At, change.Reason }),
                transaction, cancellationToken: cancellationToken));
        }

        if (order.Payments.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO order_payments (payment_id, order_id, amount, disposition, recorded_at, updated_at)
                VALUES (@PaymentId, @OrderId, @Amount, @Disposition, @RecordedAt, @UpdatedAt)
                ON CONFLICT (payment_id) DO UPDATE SET disposition = excluded.disposition, updated_at = excluded.updated_at
                WHERE order_payments.disposition IS DISTINCT FROM excluded.disposition
                """,
                order.Payments.Select(payment => new
                {
                    payment.PaymentId, OrderId = order.Id, payment.Amount, Disposition = payment.Disposition.ToString(),
                    payment.RecordedAt, payment.UpdatedAt,
                }),
                transaction, cancellationToken: cancellationToken));
        }

        foreach (var @event in order.PendingEvents)
            await outbox.EnqueueAsync(@event, transaction, cancellationToken);
        order.MarkSaved();
    }

    private static object Parameters(Order order) => new
    {
        order.Id, order.OrderNumber, order.UserId, Status = order.Status.ToString(), order.Total, order.Currency, order.PaymentDeadline,
        order.ReservationId, order.PaymentId, order.PaymentUrl, order.CreatedAt, order.UpdatedAt, order.Version,
    };

    private sealed class OrderRow
    {
        public Guid Id { get; init; }
        public string OrderNumber { get; init; } = "";
        public Guid UserId { get; init; }
        public string Status { get; init; } = "";
        public long Total { get; init; }
        public string Currency { get; init; } = "";
        public DateTimeOffset PaymentDeadline { get; init; }
        public Guid? ReservationId { get; init; }
        public Guid? PaymentId { get; init; }
        public string? PaymentUrl { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public int Version { get; init; }
    }

    private sealed class LineRow
    {
        public Guid SkuId { get; init; }
        public string ProductName { get; init; } = "";
        public string? OptionsLabel { get; init; }
        public int Quantity { get; init; }
        public long UnitPrice { get; init; }
    }

    private sealed class HistoryRow
    {
        public string Status { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public string Reason { get; init; } = "";
    }

    private sealed class PaymentRow
    {
        public Guid PaymentId { get; init; }
        public long Amount { get; init; }
        public string Disposition { get; init; } = "";
        public DateTimeOffset RecordedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }
}

/// <summary>The order kept changing under every attempt to change it; the caller retries later.</summary>
public sealed class OrderChangedConcurrentlyException(Guid orderId)
    : Exception($"Order {orderId} changed concurrently on every attempt; try again.");
