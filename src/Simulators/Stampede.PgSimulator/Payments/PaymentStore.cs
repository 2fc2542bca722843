using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stampede.PgSimulator.Webhooks;

namespace Stampede.PgSimulator.Payments;

/// <summary>All payments, in memory. Each payment changes only under its own lock; every status
/// change it records is handed to the webhook sender after the change, in order.</summary>
public sealed class PaymentStore(TimeProvider time, IOptions<PgSimulatorOptions> options, WebhookSender webhooks)
{
    private readonly ConcurrentDictionary<string, Payment> byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Payment> byOrderId = new(StringComparer.Ordinal);
    private readonly Lock creating = new();

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Adds the payment unless its order id already has one that is not finished
    /// without capture (declined or expired), as Toss refuses a duplicated order id.</summary>
    public Outcome<PaymentView> Create(Func<Payment> newPayment, string orderId)
    {
        lock (creating)
        {
            if (byOrderId.TryGetValue(orderId, out var existing))
            {
                var stillOpen = Change(existing, p => !p.IsFinishedWithoutCapture);
                if (stillOpen)
                    return new PgError(409, PgErrorCodes.DuplicatedOrderId, $"The orderId '{orderId}' already has a payment ({existing.PaymentKey}).");
            }
            var payment = newPayment();
            byKey[payment.PaymentKey] = payment;
            byOrderId[orderId] = payment;
            return payment.View();
        }
    }

    public Payment? Find(string paymentKey) => byKey.GetValueOrDefault(paymentKey);

    public Payment? FindByOrderId(string orderId) => byOrderId.GetValueOrDefault(orderId);

    /// <summary>Runs <paramref name="change"/> on the payment under its lock, after expiring it if
    /// it is due, then announces the status changes it made.</summary>
    public T Change<T>(Payment payment, Func<Payment, T> change)
    {
        lock (payment.Gate)
        {
            payment.ExpireIfDue(time.GetUtcNow(), options.Value.CheckoutExpiry, options.Value.ConfirmExpiry);
            var result = change(payment);
            // Queued under the lock so the webhooks of one payment leave in the order of its changes.
            foreach (var view in payment.TakeStatusChanges()) webhooks.Enqueue(payment.WebhookUrl, view);
            return result;
        }
    }

    public PaymentView Read(Payment payment) => Change(payment, p => p.View());
}
