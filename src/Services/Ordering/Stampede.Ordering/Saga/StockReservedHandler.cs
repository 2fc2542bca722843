using Npgsql;
using Stampede.Contracts.Inventory;
using Stampede.Messaging;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Payments;
using Stampede.Ordering.Persistence;

namespace Stampede.Ordering.Saga;

/// <summary>Stock is held: the order awaits payment, and payment is asked to open a session whose
/// URL the order then carries. A session payment refuses as invalid fails the order.</summary>
public sealed class StockReservedHandler(
    NpgsqlDataSource database, OrderStore orders, PaymentSessions payments, TimeProvider time, ILogger<StockReservedHandler> logger)
    : IIntegrationEventHandler<StockReserved>
{
    public async Task HandleAsync(StockReserved reserved, MessageContext context, CancellationToken cancellationToken)
    {
        // The move to AwaitingPayment commits on its own, before payment is called: while payment is
        // unreachable this handler throws and messaging retries it, and meanwhile the order shows
        // AwaitingPayment. A retry (or a crash before the inbox commit) finds it there and only asks
        // payment again, which answers one session per order.
        var order = await MarkReservedAsync(reserved, cancellationToken);
        if (order is null)
        {
            logger.LogWarning("Stock reserved for unknown order {OrderId}; ignored", reserved.OrderId);
            return;
        }

        // Left AwaitingPayment meanwhile (expired, cancelled): inventory releases on those events.
        if (order.Status != OrderStatus.AwaitingPayment || order.PaymentUrl is not null) return;

        PaymentSession session;
        try
        {
            session = await payments.OpenAsync(order, cancellationToken);
        }
        catch (PaymentSessionRefusedException refused)
        {
            // Asking again would be refused again: the order fails with the reason (OrderFailed, so
            // inventory releases) instead of looping until its deadline.
            logger.LogWarning("Payment refused the session of order {OrderId}: {Reason}", order.Id, refused.Message);
            await orders.ChangeAsync(context.Transaction, order.Id, current =>
            {
                if (current.Status == OrderStatus.AwaitingPayment && current.PaymentUrl is null)
                    current.FailPayment(refused.Message, time.GetUtcNow());
            }, cancellationToken);
            return;
        }

        await orders.ChangeAsync(context.Transaction, order.Id, current =>
        {
            if (current.Status == OrderStatus.AwaitingPayment && current.PaymentUrl is null)
                current.AttachPaymentSession(session.PaymentId, session.PaymentUrl, time.GetUtcNow());
        }, cancellationToken);
    }

    private async Task<Order?> MarkReservedAsync(StockReserved reserved, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var order = await orders.ChangeAsync(transaction, reserved.OrderId, current =>
        {
            if (current.Status == OrderStatus.AwaitingStock) current.ReserveStock(reserved.ReservationId, time.GetUtcNow());
        }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return order;
    }
}
