using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.PgSimulator.Failures;

namespace Stampede.PgSimulator.Payments;

/// <summary><c>GET /v1/payments/{paymentKey}</c> and <c>GET /v1/payments/orders/{orderId}</c>:
/// the payment as it is now (the latest payment of the order, for the second).</summary>
public static class GetPayment
{
    public static Results<Ok<PaymentView>, ProblemHttpResult, ValidationProblem> ByPaymentKey(string paymentKey, PaymentStore payments, FailureModes failures) =>
        Read(RequestRules.IsPaymentKeyShaped(paymentKey) ? payments.Find(paymentKey) : null, "with this paymentKey", payments, failures);

    public static Results<Ok<PaymentView>, ProblemHttpResult, ValidationProblem> ByOrderId(string orderId, PaymentStore payments, FailureModes failures) =>
        Read(RequestRules.OrderId(orderId) is null ? payments.FindByOrderId(orderId) : null, "for this orderId", payments, failures);

    private static Results<Ok<PaymentView>, ProblemHttpResult, ValidationProblem> Read(Payment? payment, string what, PaymentStore payments, FailureModes failures)
    {
        if (payment is null) return PgError.NotFound(what).ToResult<PaymentView>();
        if (failures.ServerError(MerchantOperation.Get, payment.OrderId, payment.PaymentKey) is { } failure) return failure.ToResult<PaymentView>();
        return TypedResults.Ok(payments.Read(payment));
    }
}
