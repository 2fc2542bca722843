using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Payment.Payments;
using Stampede.Payment.Persistence;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Returns;

/// <summary>Where the buyer's browser lands back from the PG, and what it is told.</summary>
public sealed record PaymentReturnAnswer(Guid OrderId, Guid PaymentId, string Status, long Amount, string? Reason);

/// <summary>What the failure return tells: anyone holding an order id can call it, so only the
/// payment's state, nothing of the payment itself.</summary>
public sealed record PaymentFailReturnAnswer(Guid OrderId, string Status);

/// <summary>The dependencies of the return endpoints.</summary>
public sealed record PaymentReturnServices(NpgsqlDataSource Database, PaymentStore Payments, PgClient Pg, PaymentReconciliation Reconciliation,
    TimeProvider Time);

/// <summary>GET /payments/return/success and /payments/return/fail: the PG sends the buyer's browser
/// here after the checkout. Anonymous (the browser carries no token), so nothing in the query is
/// trusted: a success is confirmed with the PG only when its amount and order match the session, and a
/// failure is read back from the PG before the session is failed.</summary>
public static class PaymentReturn
{
    public const string AmountMismatch = "The amount does not match the order.";

    public static async Task<Results<Ok<PaymentReturnAnswer>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> SuccessAsync(
        string? paymentKey, string? orderId, string? amount, HttpContext http, [AsParameters] PaymentReturnServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(paymentKey) || paymentKey.Length > 200 || !paymentKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors["paymentKey"] = ["The paymentKey is required and must be a PG payment key."];
        if (!TryParseOrderId(orderId, out var order)) errors["orderId"] = ["The orderId is required and must be an order id."];
        if (!long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var paid) || paid <= 0)
            errors["amount"] = ["The amount is required and must be a whole number greater than 0."];
        if (errors.Count > 0) return PaymentProblems.Invalid(errors);

        await using var connection = await services.Database.OpenConnectionAsync(cancellationToken);
        var payment = await services.Payments.FindByOrderIdAsync(connection, null, order, cancellationToken);
        await connection.CloseAsync();
        if (payment is null) return PaymentProblems.PaymentNotFound(orderId!);
        if (payment.PaymentKey != paymentKey)
            return PaymentProblems.Invalid("paymentKey", "The paymentKey is not this order's payment.");
        // A tampered amount never reaches the PG: nothing is confirmed, nothing captured.
        if (paid != payment.Amount) return PaymentProblems.Invalid("amount", AmountMismatch, "amount does not match the order");
        if (payment.WasCaptured) return Answer(http, payment);

        payment = await services.Payments.ChangeAsync(services.Database, payment.Id,
            current => current.RecordAuthorisation(services.Time.GetUtcNow()), cancellationToken) ?? payment;

        // Keyed on the payment key: a repeated return (a reload, a retry after a timeout) is the same
        // confirm to the PG, which answers the first capture again instead of capturing twice.
        var confirmed = await services.Pg.ConfirmAsync(payment.PaymentKey, payment.PgOrderId, payment.Amount, payment.PaymentKey, cancellationToken);
        if (confirmed.Value is { } state)
            return Answer(http, await services.Reconciliation.ApplyAsync(payment, state, cancellationToken));
        if (confirmed.IsRefusal(PgErrorCodes.InvalidAmount, PgErrorCodes.NotMatchesOrderId))
            return PaymentProblems.PgRefused(confirmed.Refusal!);
        if (confirmed.IsRefusal(PgErrorCodes.IdempotentRequestProcessing))
            return PaymentProblems.PgStillProcessing(http);

        // Already processed, no longer open, or no answer at all: what the PG holds now decides.
        var (current, outage) = await services.Reconciliation.ReadBackAsync(payment, cancellationToken);
        if (current.WasCaptured) return Answer(http, current);
        if (confirmed.Refusal is { } refusal) return PaymentProblems.PgRefused(refusal);
        return PaymentProblems.PgUnavailable(http, confirmed.Outage ?? outage!);
    }

    public static async Task<Results<Ok<PaymentFailReturnAnswer>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> FailAsync(
        string? code, string? message, string? orderId, HttpContext http, [AsParameters] PaymentReturnServices services,
        CancellationToken cancellationToken)
    {
        if (!TryParseOrderId(orderId, out var order))
            return PaymentProblems.Invalid("orderId", "The orderId is required and must be an order id.");

        await using var connection = await services.Database.OpenConnectionAsync(cancellationToken);
        var payment = await services.Payments.FindByOrderIdAsync(connection, null, order, cancellationToken);
        await connection.CloseAsync();
        if (payment is null) return PaymentProblems.PaymentNotFound(orderId!);
        if (payment.Status != PaymentStatus.SessionOpen) return StateOnly(http, payment);

        // The query's code and message are the buyer's browser talking: the PG's own state decides.
        var (current, outage) = await services.Reconciliation.ReadBackAsync(payment, cancellationToken);
        return outage is null ? StateOnly(http, current) : PaymentProblems.PgUnavailable(http, outage);
    }

    private static bool TryParseOrderId(string? value, out Guid orderId)
    {
        orderId = Guid.Empty;
        return value is not null && (Guid.TryParseExact(value, "N", out orderId) || Guid.TryParseExact(value, "D", out orderId)) && orderId != Guid.Empty;
    }

    private static Results<Ok<PaymentReturnAnswer>, ContentHttpResult, ValidationProblem, ProblemHttpResult> Answer(HttpContext http, Payments.Payment payment)
    {
        var answer = new PaymentReturnAnswer(payment.OrderId, payment.Id, payment.Status.ToString(), payment.Amount, payment.FailureReason);
        return WantsHtml(http.Request) ? TypedResults.Content(Page(payment), "text/html; charset=utf-8") : TypedResults.Ok(answer);
    }

    // The failure return needs no secret, so neither amount, order number, payment id nor reason.
    private static Results<Ok<PaymentFailReturnAnswer>, ContentHttpResult, ValidationProblem, ProblemHttpResult> StateOnly(HttpContext http,
        Payments.Payment payment) =>
        WantsHtml(http.Request)
            ? TypedResults.Content(Page(payment, revealing: false), "text/html; charset=utf-8")
            : TypedResults.Ok(new PaymentFailReturnAnswer(payment.OrderId, payment.Status.ToString()));

    // A browser asks for HTML first; API clients and tests ask for JSON or nothing in particular.
    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1).FirstOrDefault()?.MediaType.Value is "text/html";

    private static string Page(Payments.Payment payment, bool revealing = true)
    {
        var (title, text) = revealing ? Texts(payment) : payment.Status switch
        {
            PaymentStatus.Captured or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded =>
                ("Payment received", "The payment for this order was received."),
            PaymentStatus.Failed => ("Payment failed", "The payment did not go through."),
            PaymentStatus.Voided => ("Payment closed", "This order can no longer be paid."),
            _ => ("Payment not finished", "The payment is not finished yet."),
        };
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
            <body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p></body></html>
            """;
    }

    private static (string Title, string Text) Texts(Payments.Payment payment) =>
        payment.Status switch
        {
            PaymentStatus.Captured or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded =>
                ("Payment received", $"We received {payment.Amount:N0} {payment.Currency} for order {payment.OrderNumber}."),
            PaymentStatus.Failed => ("Payment failed", $"The payment for order {payment.OrderNumber} did not go through: {payment.FailureReason}"),
            PaymentStatus.Voided => ("Payment closed", $"Order {payment.OrderNumber} can no longer be paid."),
            _ => ("Payment not finished", $"The payment for order {payment.OrderNumber} is not finished yet."),
        };
}
