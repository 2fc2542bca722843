using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stampede.PgSimulator.Failures;

namespace Stampede.PgSimulator.Payments;

/// <summary><c>POST /v1/payments</c>: the merchant opens a payment for an order. <paramref name="ValidUntil"/>
/// (optional) closes the checkout earlier than the PG's own expiry, e.g. at the order's deadline.</summary>
public sealed record CreatePaymentRequest(string? OrderId, long? Amount, string? OrderName, string? SuccessUrl, string? FailUrl, string? WebhookUrl,
    DateTimeOffset? ValidUntil = null);

/// <summary>The new payment and where to send the buyer.</summary>
public sealed record CreatePaymentResponse(string PaymentKey, string OrderId, string OrderName, long Amount, PaymentStatus Status, string CheckoutUrl, DateTimeOffset RequestedAt);

public static class CreatePayment
{
    public static async Task<Results<Ok<CreatePaymentResponse>, ProblemHttpResult, ValidationProblem>> Handle(
        CreatePaymentRequest request, HttpRequest http, PaymentStore payments, IdempotencyKeys idempotency, FailureModes failures,
        IOptions<PgSimulatorOptions> options)
    {
        var key = IdempotencyKeys.Read(http);
        if (key.Error is { } badKey) return badKey.ToResult<CreatePaymentResponse>();
        var errors = RequestRules.Collect(
            ("orderId", RequestRules.OrderId(request.OrderId)),
            ("amount", RequestRules.Amount(request.Amount)),
            ("orderName", RequestRules.Text(request.OrderName, "orderName")),
            ("successUrl", RequestRules.Url(request.SuccessUrl, "successUrl")),
            ("failUrl", RequestRules.Url(request.FailUrl, "failUrl")),
            ("webhookUrl", RequestRules.Url(request.WebhookUrl, "webhookUrl", required: false)),
            ("validUntil", request.ValidUntil <= payments.Now ? "validUntil must be in the future." : null));
        if (errors.Count > 0) return PgError.Invalid(errors).ToResult<CreatePaymentResponse>();
        if (failures.ServerError(MerchantOperation.Create, request.OrderId, null) is { } failure) return failure.ToResult<CreatePaymentResponse>();

        var checkoutBase = options.Value.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{http.Scheme}://{http.Host}{http.PathBase}";
        var outcome = await idempotency.RunAsync("create", key.Value, request, () =>
        {
            var created = payments.Create(() =>
            {
                var paymentKey = "pk_" + Guid.CreateVersion7().ToString("N");
                return new Payment(paymentKey, request.OrderId!, request.OrderName!, request.Amount!.Value, request.SuccessUrl!, request.FailUrl!,
                    request.WebhookUrl, $"{checkoutBase}/checkout/{paymentKey}", payments.Now, request.ValidUntil);
            }, request.OrderId!);
            return Task.FromResult(created.Error is { } error
                ? (Outcome<CreatePaymentResponse>)error
                : Respond(created.Value!));
        });
        return outcome.ToResult();
    }

    private static CreatePaymentResponse Respond(PaymentView payment) =>
        new(payment.PaymentKey, payment.OrderId, payment.OrderName, payment.TotalAmount, payment.Status, payment.CheckoutUrl, payment.RequestedAt);
}
