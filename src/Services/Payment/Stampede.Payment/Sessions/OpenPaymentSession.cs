using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Sessions;

/// <summary><paramref name="PayBy"/>: the order's payment deadline; the PG closes the checkout then (optional: without it
/// the PG's own checkout expiry applies).</summary>
public sealed record OpenPaymentSessionRequest(Guid? OrderId, string? OrderNumber, long? Amount, string? Currency, string? OrderName, Guid? UserId,
    DateTimeOffset? PayBy = null);

public sealed record OpenedPaymentSession(Guid PaymentId, string PaymentUrl, string Status);

/// <summary>POST /internal/payment-sessions: ordering asks for the buyer's checkout. Opens the
/// payment at the PG (Idempotency-Key = the order id) and records it; asking again for the same order
/// answers the same session, so one order never has two PG payments. Anonymous: internal endpoints are
/// reachable only inside the private network (the gateway refuses any path with an /internal segment).</summary>
public static class OpenPaymentSession
{
    public const string SupportedCurrency = "KRW";
    private const int MaxAttempts = 30;

    public static async Task<Results<Ok<OpenedPaymentSession>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        OpenPaymentSessionRequest request, HttpContext http, NpgsqlDataSource database, PaymentStore payments, PgClient pg,
        IOptions<PaymentSettings> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(request, time.GetUtcNow());
        if (errors.Count > 0) return PaymentProblems.Invalid(errors);
        var orderId = request.OrderId!.Value;
        var amount = request.Amount!.Value;
        var pgOrderId = orderId.ToString("N");
        var settings = options.Value;

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            if (await payments.FindByOrderIdAsync(connection, null, orderId, cancellationToken) is { } existing)
            {
                return existing.Amount == amount
                    ? TypedResults.Ok(Answer(existing))
                    : PaymentProblems.Conflict("Payment session already open",
                        $"Order {orderId} already has a payment session for {existing.Amount} {existing.Currency}, not {amount}.");
            }

            var created = await pg.CreateAsync(pgOrderId, amount, request.OrderName!, settings.SuccessUrl, settings.FailUrl, settings.WebhookUrl,
                request.PayBy, idempotencyKey: pgOrderId, cancellationToken);
            string paymentKey, checkoutUrl;
            if (created.Value is { } payment)
            {
                (paymentKey, checkoutUrl) = (payment.PaymentKey, payment.CheckoutUrl);
            }
            else if (created.IsRefusal(PgErrorCodes.IdempotentRequestProcessing) && attempt < MaxAttempts)
            {
                // A concurrent call for this order is opening it right now; it will be recorded shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
                continue;
            }
            else if (created.IsRefusal(PgErrorCodes.DuplicatedOrderId, PgErrorCodes.IdempotencyKeyReused))
            {
                // The PG already holds a payment for this order that was never recorded here (an earlier
                // call failed after the PG answered): adopt it when it is for this amount.
                var found = await pg.GetByOrderIdAsync(pgOrderId, cancellationToken);
                if (found.Outage is { } outage) return PaymentProblems.PgUnavailable(http, outage);
                if (found.Value is not { } adopted || adopted.TotalAmount != amount || !(adopted.IsOpenForTheBuyer || adopted.WasCaptured))
                    return PaymentProblems.Conflict("The PG holds another payment for this order", created.Refusal!.Message);
                (paymentKey, checkoutUrl) = (adopted.PaymentKey, adopted.CheckoutUrl);
            }
            else if (created.Refusal is { } refusal)
            {
                return PaymentProblems.PgRefused(refusal);
            }
            else
            {
                return PaymentProblems.PgUnavailable(http, created.Outage!);
            }

            var opened = Payments.Payment.Open(Guid.CreateVersion7(), orderId, request.OrderNumber!, request.UserId!.Value, request.OrderName!, amount,
                request.Currency!, pgOrderId, paymentKey, checkoutUrl, time.GetUtcNow());
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (await payments.TryInsertAsync(opened, transaction, cancellationToken))
            {
                await transaction.CommitAsync(cancellationToken);
                return TypedResults.Ok(Answer(opened));
            }

            // A concurrent call for the same order recorded the same PG payment first: answer its session.
            await transaction.RollbackAsync(cancellationToken);
        }
    }

    private static OpenedPaymentSession Answer(Payments.Payment payment) => new(payment.Id, payment.PaymentUrl, payment.Status.ToString());

    private static Dictionary<string, string[]> Validate(OpenPaymentSessionRequest request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.OrderId is null || request.OrderId == Guid.Empty) errors["orderId"] = ["The orderId is required."];
        if (Text(request.OrderNumber, 64) is { } orderNumber) errors["orderNumber"] = [$"The orderNumber {orderNumber}"];
        if (request.Amount is not > 0) errors["amount"] = ["The amount must be a whole number of minor units greater than 0."];
        if (request.Currency != SupportedCurrency) errors["currency"] = [$"The currency must be {SupportedCurrency}."];
        // The PG shows the order name to the buyer and accepts at most 200 characters of plain text.
        if (Text(request.OrderName, 200) is { } orderName) errors["orderName"] = [$"The orderName {orderName}"];
        if (request.UserId is null || request.UserId == Guid.Empty) errors["userId"] = ["The userId is required."];
        if (request.PayBy <= now) errors["payBy"] = ["The payBy deadline has passed."];
        return errors;
    }

    private static string? Text(string? value, int maxLength) => value switch
    {
        null or "" => "is required.",
        { Length: var length } when length > maxLength => $"must be at most {maxLength} characters.",
        _ when string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl) => "must be plain text.",
        _ => null,
    };
}
