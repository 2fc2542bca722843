using Microsoft.Extensions.Options;
using Stampede.Messaging;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Sessions;

/// <summary>Closes the session of an order that will not be paid (expired, or cancelled unpaid): the
/// PG payment is cancelled while the buyer has not paid it (READY or IN_PROGRESS), and the session is
/// marked Voided. If the PG took the money meanwhile, that capture is recorded instead (and ordering
/// asks for the refund). While the PG is unreachable the void waits for it (a transient failure,
/// retried until the PG answers); when the PG refuses through every retry, the session is voided here
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

    /// <summary>The PG's payment after voiding it there, or null when the PG refused on the last attempt.</summary>
    private async Task<PgPayment?> VoidAtPgAsync(Payments.Payment payment, string reason, MessageContext context, CancellationToken cancellationToken)
    {
        var read = await pg.GetAsync(payment.PaymentKey, cancellationToken);
        if (read.Value is not { } state) return GiveUp(payment, read, context);
        if (!state.IsOpenForTheBuyer) return state;
        // Without an amount the PG voids an unpaid payment; only called on one the buyer has not paid.
        var cancelled = await pg.CancelAsync(payment.PaymentKey, reason, amount: null, context.MessageId.ToString(), cancellationToken);
        if (cancelled.Value is { } voided) return voided;
        if (cancelled.Refusal is null) return GiveUp(payment, cancelled, context);
        // It moved on meanwhile (paid, declined or expired): what it is now decides.
        var again = await pg.GetAsync(payment.PaymentKey, cancellationToken);
        return again.Value ?? GiveUp(payment, again, context);
    }

    /// <summary>Throws what the handler retries (an outage without limit, a refusal within the budget);
    /// null once a refusal used up the budget.</summary>
    private PgPayment? GiveUp(Payments.Payment payment, PgAnswer<PgPayment> answer, MessageContext context)
    {
        var failure = answer.Failure($"Voiding payment {payment.Id} at the PG failed");
        if (failure is PgUnavailableException || context.Attempt < messaging.Value.RetryDelays.Length) throw failure;
        logger.LogWarning("Payment {PaymentId} of order {OrderId} could not be voided at the PG ({Failure}); voided here only",
            payment.Id, payment.OrderId, answer.Describe());
        return null;
    }
}
