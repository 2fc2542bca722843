using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.PgSimulator.Failures;

namespace Stampede.PgSimulator.Payments;

/// <summary><c>POST /v1/payments/{paymentKey}/cancel</c>: refund all of the balance, or
/// <c>cancelAmount</c> of it.</summary>
public sealed record CancelPaymentRequest(string? CancelReason, long? CancelAmount);

public static class CancelPayment
{
    public static async Task<Results<Ok<PaymentView>, ProblemHttpResult, ValidationProblem>> Handle(
        string paymentKey, CancelPaymentRequest request, HttpRequest http, PaymentStore payments, IdempotencyKeys idempotency, FailureModes failures)
    {
        var key = IdempotencyKeys.Read(http);
        if (key.Error is { } badKey) return badKey.ToResult<PaymentView>();
        var errors = RequestRules.Collect(
            ("cancelReason", RequestRules.Text(request.CancelReason, "cancelReason")),
            ("cancelAmount", request.CancelAmount is <= 0 ? "The cancelAmount must be greater than 0 (leave it out to cancel the whole balance)." : null));
        if (errors.Count > 0) return PgError.Invalid(errors).ToResult<PaymentView>();
        if (!RequestRules.IsPaymentKeyShaped(paymentKey) || payments.Find(paymentKey) is not { } payment)
            return PgError.NotFound("with this paymentKey").ToResult<PaymentView>();
        if (failures.ServerError(MerchantOperation.Cancel, payment.OrderId, payment.PaymentKey) is { } failure) return failure.ToResult<PaymentView>();

        var outcome = await idempotency.RunAsync("cancel", key.Value, new { paymentKey, request }, () =>
        {
            var transactionKey = "tx_" + Guid.CreateVersion7().ToString("N");
            return Task.FromResult(payments.Change(payment, p =>
                p.Cancel(request.CancelReason!, request.CancelAmount, payments.Now, transactionKey) is { } refused
                    ? (Outcome<PaymentView>)refused
                    : p.View()));
        });
        return outcome.ToResult();
    }
}
