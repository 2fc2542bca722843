using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.PgSimulator.Failures;
using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Checkout;

/// <summary><c>POST /checkout/{paymentKey}/approve</c> and <c>/decline</c>: the buyer's answer,
/// from the checkout page's buttons or from a test or the CLI playing the buyer. Answers 303 to
/// the shop's success or fail URL, or 200 <see cref="CheckoutAnswer"/> with
/// <c>Accept: application/json</c>. Answering the same way twice is harmless; answering a payment
/// that is no longer open is a 409.</summary>
public static class AnswerCheckout
{
    public static Results<Ok<CheckoutAnswer>, SeeOther, ProblemHttpResult, ValidationProblem> Approve(
        string paymentKey, HttpRequest http, PaymentStore payments, FailureModes failures) =>
        Answer(paymentKey, http, payments, payment =>
        {
            if (payment.Status == PaymentStatus.Ready && failures.Take(FailureMode.Decline, payment.OrderId, payment.PaymentKey) is not null)
                return payment.Decline(new PaymentFailure(PgErrorCodes.RejectCardPayment, "The card company declined the payment (simulated)."));
            return payment.Approve(payments.Now);
        });

    public static Results<Ok<CheckoutAnswer>, SeeOther, ProblemHttpResult, ValidationProblem> Decline(
        string paymentKey, HttpRequest http, PaymentStore payments) =>
        Answer(paymentKey, http, payments, payment =>
            payment.Decline(new PaymentFailure(PgErrorCodes.PayProcessCanceled, "The buyer canceled the payment.")));

    private static Results<Ok<CheckoutAnswer>, SeeOther, ProblemHttpResult, ValidationProblem> Answer(
        string paymentKey, HttpRequest http, PaymentStore payments, Func<Payment, PgError?> answer)
    {
        if (!RequestRules.IsPaymentKeyShaped(paymentKey) || payments.Find(paymentKey) is not { } payment)
            return Refuse(PgError.NotFound("with this paymentKey"));
        var outcome = payments.Change(payment, p => answer(p) is { } refused ? (Outcome<CheckoutAnswer>)refused : CheckoutAnswer.For(p));
        if (outcome.Error is { } error) return Refuse(error);
        return CheckoutAnswer.WantsJson(http) ? TypedResults.Ok(outcome.Value!) : new SeeOther(outcome.Value!.RedirectUrl);
    }

    private static Results<Ok<CheckoutAnswer>, SeeOther, ProblemHttpResult, ValidationProblem> Refuse(PgError error) =>
        error.Answer<Results<Ok<CheckoutAnswer>, SeeOther, ProblemHttpResult, ValidationProblem>>(p => p, v => v);
}
