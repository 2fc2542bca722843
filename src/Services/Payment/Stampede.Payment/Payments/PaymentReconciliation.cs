using Npgsql;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Payments;

/// <summary>Records what the PG says about a payment (see <see cref="Payment.ApplyPgState"/>), each
/// time in a transaction of its own with the events it raises.</summary>
public sealed class PaymentReconciliation(NpgsqlDataSource database, PaymentStore payments, PgClient pg, TimeProvider time)
{
    public async Task<Payment> ApplyAsync(Payment payment, PgPayment state, CancellationToken cancellationToken) =>
        await payments.ChangeAsync(database, payment.Id, current => current.ApplyPgState(state, time.GetUtcNow()), cancellationToken)
        ?? throw new InvalidOperationException($"Payment {payment.Id} disappeared.");

    /// <summary>Reads the payment back from the PG and records it; the outage when the PG cannot say.</summary>
    public async Task<(Payment Payment, PgOutage? Outage)> ReadBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        var read = await pg.GetAsync(payment.PaymentKey, cancellationToken);
        if (read.Value is { } state) return (await ApplyAsync(payment, state, cancellationToken), null);
        return (payment, read.Outage ?? new PgOutage(PgOutageKind.Unreachable, read.Describe()));
    }
}
