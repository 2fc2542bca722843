using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.PgSimulator.Failures;

namespace Stampede.PgSimulator.Payments;

/// <summary><c>POST /v1/payments/confirm</c>: the merchant captures an approved payment, naming
/// the order id and amount it expects.</summary>
public sealed record ConfirmPaymentRequest(string? PaymentKey, string? OrderId, long? Amount);

public static class ConfirmPayment
{
    public static async Task<Results<Ok<PaymentView>, ProblemHttpResult, ValidationProblem>> Handle(
        ConfirmPaymentRequest request, HttpRequest http, PaymentStore payments, IdempotencyKeys idempotency, FailureModes failures,
        TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var key = IdempotencyKeys.Read(http);
        if (key.Error is { } badKey) return badKey.ToResult<PaymentView>();
        var errors = RequestRules.Collect(
            ("paymentKey", RequestRules.PaymentKey(request.PaymentKey)),
            ("orderId", string.IsNullOrEmpty(request.OrderId) ? "The orderId is required." : null),
            ("amount", RequestRules.Amount(request.Amount)));
        if (errors.Count > 0) return PgError.Invalid(errors).ToResult<PaymentView>();
        if (payments.Find(request.PaymentKey!) is not { } payment) return PgError.NotFound("with this paymentKey").ToResult<PaymentView>();
        if (failures.ServerError(MerchantOperation.Confirm, payment.OrderId, payment.PaymentKey) is { } failure) return failure.ToResult<PaymentView>();

        var outcome = await idempotency.RunAsync("confirm", key.Value, request, async () =>
        {
            var slow = failures.Take(FailureMode.Timeout, payment.OrderId, payment.PaymentKey)
                ?? failures.Take(FailureMode.SlowConfirm, payment.OrderId, payment.PaymentKey);
            // Not the request's token: a PG keeps processing after the merchant stops waiting,
            // which is exactly what the timeout mode is for.
            if (slow is not null) await Task.Delay(slow.Delay, time, lifetime.ApplicationStopping);
            var transactionKey = "tx_" + Guid.CreateVersion7().ToString("N");
            return payments.Change(payment, p =>
                p.Confirm(request.OrderId!, request.Amount!.Value, payments.Now, transactionKey) is { } refused
                    ? (Outcome<PaymentView>)refused
                    : p.View());
        });
        return outcome.ToResult();
    }
}
