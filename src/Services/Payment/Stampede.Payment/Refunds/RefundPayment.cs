using Stampede.Messaging;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Refunds;

/// <summary>Gives captured money back through the PG's cancel API, keyed on the event that asked
/// (Idempotency-Key = its id), so a redelivered or retried request refunds once. The refund is
/// recorded from the PG's answer (a ledger row and <c>PaymentRefunded</c>) in the handler's
/// transaction. While the PG is unreachable or failing the handler throws <see cref="PgUnavailableException"/>,
/// which messaging retries until the PG answers; a refusal is retried a few times, then dead-lettered
/// where an operator sees it.</summary>
public sealed class RefundPayment(PaymentStore payments, PgClient pg, TimeProvider time, ILogger<RefundPayment> logger)
{
    public const int MaxReasonLength = 200;

    public async Task RefundAsync(Guid orderId, Guid? paymentId, long amount, string reason, MessageContext context,
        CancellationToken cancellationToken)
    {
        var payment = paymentId is { } id
            ? await payments.FindAsync(context.Connection, context.Transaction, id, cancellationToken)
            : await payments.FindByOrderIdAsync(context.Connection, context.Transaction, orderId, cancellationToken);
        if (payment is null || payment.OrderId != orderId)
        {
            logger.LogWarning("Refund of payment {PaymentId} for order {OrderId} asked, but there is no such payment; nothing to refund",
                paymentId, orderId);
            return;
        }

        if (!payment.WasCaptured || payment.Refundable == 0)
        {
            logger.LogInformation("Refund for order {OrderId} asked, but payment {PaymentId} is {Status} with nothing left to refund",
                orderId, payment.Id, payment.Status);
            return;
        }

        var refund = amount > 0 ? Math.Min(amount, payment.Refundable) : payment.Refundable;
        var answer = await pg.CancelAsync(payment.PaymentKey, PlainReason(reason), refund, context.MessageId.ToString(), cancellationToken);
        var state = answer.Value;
        if (state is null && answer.IsRefusal(PgErrorCodes.AlreadyCanceledPayment, PgErrorCodes.NotCancelableAmount, PgErrorCodes.IdempotencyKeyReused))
        {
            // The PG refunded already (another request, or an earlier try of this one): record what it did.
            var read = await pg.GetAsync(payment.PaymentKey, cancellationToken);
            state = read.Value ?? throw read.Failure($"Refund of payment {payment.Id}");
        }

        if (state is null) throw answer.Failure($"Refund of payment {payment.Id} failed");
        await payments.ChangeAsync(context.Transaction, payment.Id, current => current.ApplyPgState(state, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The PG takes a reason of plain text up to 200 characters.</summary>
    public static string PlainReason(string? reason)
    {
        var plain = new string((reason ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (plain.Length == 0) return "Refund";
        return plain.Length <= MaxReasonLength ? plain : plain[..MaxReasonLength];
    }
}
