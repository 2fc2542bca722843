using Stampede.Cli.Api;
using Stampede.Messaging;

namespace Stampede.Cli.Audit;

/// <summary>One thing that does not add up, with the id to look it up by.</summary>
/// <param name="Check">Which rule broke, e.g. <c>captured-payment-without-paid-order</c>.</param>
public sealed record AuditFinding(string Check, string Id, string Detail);

/// <summary>What the audit looked at and what it found.</summary>
public sealed record AuditReport(
    int PaidOrders, int PaymentsHoldingMoney, long Skus, long HeldReservations, long DeadLetters, IReadOnlyList<AuditFinding> Findings)
{
    public bool IsClean => Findings.Count == 0;
}

/// <summary>
/// Checks across services that stock, money and orders agree, from each service's admin views
/// (ordering, payment and inventory `/admin/audit`) and the dead-letter queues: every captured
/// payment belongs to a paid order or is refunded; every paid order's stock was committed; stock
/// rows agree with their ledger and their held reservations; no order is stuck in a non-final
/// state past its deadline plus the grace; no dead letter is waiting.
/// </summary>
public static class SystemAudit
{
    private const int ReservationBatch = 1_000;

    /// <param name="admin">Logged in as an admin, through the gateway.</param>
    /// <param name="deadLetters">The broker's dead letters, with the consuming services to look at; null skips that check.</param>
    /// <param name="grace">How long a change may take to travel: money on its way back, an order about to expire.</param>
    public static async Task<AuditReport> RunAsync(StampedeApi admin, (DeadLetterQueue Queue, IReadOnlyList<string> Services)? deadLetters,
        TimeSpan grace, TimeProvider time, CancellationToken ct)
    {
        var findings = new List<AuditFinding>();
        // Payment first: a payment captured after the orders were read would look like one without an order.
        var payments = await admin.AuditPaymentsAsync(ct);
        var orders = await admin.AuditOrdersAsync(grace, ct);
        var stock = await admin.AuditStockAsync(ct);
        var now = time.GetUtcNow();

        var paidBy = orders.Paid.ToDictionary(order => order.OrderId, order => order.PaymentId);
        foreach (var held in payments.Held)
        {
            var paysItsOrder = paidBy.TryGetValue(held.OrderId, out var paymentId) && paymentId == held.PaymentId
                && held.RefundedAmount == 0;
            if (!paysItsOrder && now - held.UpdatedAt > grace)
            {
                findings.Add(new("captured-payment-without-paid-order", held.PaymentId.ToString(),
                    $"payment of order {held.OrderId} ({held.Status}) holds {held.CapturedAmount - held.RefundedAmount} " +
                    $"of {held.CapturedAmount} captured, and the order is {(paidBy.ContainsKey(held.OrderId) ? "paid by another payment" : "not paid")}"));
            }
        }

        foreach (var drift in payments.Drift)
        {
            findings.Add(new("payment-ledger-drift", drift.PaymentId.ToString(),
                $"captured {drift.CapturedAmount} (ledger {drift.LedgerCaptured}), refunded {drift.RefundedAmount} (ledger {drift.LedgerRefunded})"));
        }

        var heldPaymentIds = payments.Held.Select(held => held.PaymentId).ToHashSet();
        foreach (var order in orders.Paid.Where(order => !heldPaymentIds.Contains(order.PaymentId)))
        {
            findings.Add(new("paid-order-without-captured-payment", order.OrderId.ToString(),
                $"the order is paid by payment {order.PaymentId}, which holds no captured money"));
        }

        foreach (var batch in orders.Paid.Chunk(ReservationBatch))
        {
            var states = (await admin.ReservationsOfAsync([.. batch.Select(order => order.OrderId)], ct)).ToDictionary(state => state.OrderId);
            foreach (var order in batch)
            {
                // OrderPaid may still be on its way to inventory.
                if (now - order.PaidAt <= grace) continue;
                if (!states.TryGetValue(order.OrderId, out var state))
                    findings.Add(new("paid-order-stock-not-committed", order.OrderId.ToString(), "inventory has no reservation for the paid order"));
                else if (state.Status != "committed")
                    findings.Add(new("paid-order-stock-not-committed", order.OrderId.ToString(),
                        $"its reservation is {state.Status}{(state.Outcome is { } outcome ? $" ({outcome})" : "")}"));
            }
        }

        foreach (var drift in stock.Drift)
        {
            var parts = new List<string>();
            if (drift.OnHand != drift.LedgerOnHand) parts.Add($"on hand {drift.OnHand} but the ledger sums to {drift.LedgerOnHand}");
            if (drift.Reserved != drift.LedgerReserved) parts.Add($"reserved {drift.Reserved} but the ledger sums to {drift.LedgerReserved}");
            if (drift.Reserved != drift.HeldReserved) parts.Add($"reserved {drift.Reserved} but held reservations hold {drift.HeldReserved}");
            findings.Add(new("stock-drift", drift.SkuId.ToString(), string.Join("; ", parts)));
        }

        foreach (var stuck in orders.Stuck)
        {
            findings.Add(new("order-stuck", stuck.OrderId.ToString(),
                $"{stuck.Status} since {stuck.UpdatedAt:u}, payment deadline {stuck.PaymentDeadline:u}"));
        }

        long waiting = 0;
        if (deadLetters is var (queue, services))
        {
            foreach (var service in services)
            {
                var count = await queue.CountAsync(service, ct);
                waiting += count;
                if (count > 0) findings.Add(new("dead-letters-waiting", service, $"{count} dead letter(s); see `./stampede dead-letters list --service {service}`"));
            }
        }

        return new AuditReport(orders.Paid.Count, payments.Held.Count, stock.Skus, stock.HeldReservations, waiting, findings);
    }
}
