using Microsoft.Extensions.Options;
using Stampede.Messaging;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Sessions;

/// <summary>Closes the session of an order that will not be paid (expired, or cancelled unpaid): the
/// PG payment is cancelled while the buyer has not paid it (READY or IN_PROGRESS), and the session is
/// marked Voided. If the PG took the money meanwhile, that capture is recorded instead (and ordering
/// asks for the refund). When the PG stays unreachable through every retry, the session is voided here
/// only: a payment that still arrives is captured and refunded all the same.</summary>
public sealed class VoidSession(
    PaymentStore payments, PgClient pg, IOptions<PaymentSettings> settings, IOptions<MessagingOptions> messaging, TimeProvider time,
    ILogger<VoidSession> logger)
{
    public async Task VoidAsync(Guid orderId, string reason, MessageContext context, CancellationToken cancellationToken)
    {
        var payment = await payments.FindByOrderIdAsync(context.Connection, context.Transaction, orderId, cancellationToken);
        if (payment is null || payment.Status != PaymentStatus.SessionOpen) return;

        var state = settings.Value.VoidAtPg ? await VoidAtPgAsync(payment, reason, context, cancellationToken) : null;
        await payments.ChangeAsync(context.Transaction, payment.Id, current =>
        {
            var now = time.GetUtcNow();
            if (state is { WasCaptured: true }) current.ApplyPgState(state, now);
            if (current.Status == PaymentStatus.SessionOpen) current.Void(reason, now);
        }, cancellationToken);
    }

    /// <summary>The PG's payment after voiding it there, or null when the PG could not be reached on
    /// the last attempt.</summary>
    private async Task<PgPayment?> VoidAtPgAsync(Payments.Payment payment, string reason, MessageContext context, CancellationToken cancellationToken)
    {
        var read = await pg.GetAsync(payment.PaymentKey, cancellationToken);
        var failure = read.Describe();
        if (read.Value is { } state)
        {
            if (!state.IsOpenForTheBuyer) return state;
            // Without an amount the PG voids an unpaid payment; only called on one the buyer has not paid.
            var cancelled = await pg.CancelAsync(payment.PaymentKey, reason, amount: null, context.MessageId.ToString(), cancellationToken);
            if (cancelled.Value is { } voided) return voided;
            failure = cancelled.Describe();
            if (cancelled.Refusal is not null)
            {
                // It moved on meanwhile (paid, declined or expired): what it is now decides.
                var again = await pg.GetAsync(payment.PaymentKey, cancellationToken);
                if (again.Value is { } moved) return moved;
                failure = again.Describe();
            }
        }

        if (context.Attempt < messaging.Value.RetryDelays.Length)
            throw new PgUnavailableException($"Voiding payment {payment.Id} at the PG failed: {failure}");
        logger.LogWarning("Payment {PaymentId} of order {OrderId} could not be voided at the PG ({Failure}); voided here only",
            payment.Id, payment.OrderId, failure);
        return null;
    }
}
