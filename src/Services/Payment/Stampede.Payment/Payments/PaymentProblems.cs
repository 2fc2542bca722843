using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Payment.Pg;

namespace Stampede.Payment.Payments;

/// <summary>The problem answers payment gives besides validation errors.</summary>
public static class PaymentProblems
{
    public static ProblemHttpResult PaymentNotFound(string orderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Payment not found", detail: $"There is no payment for order {orderId}.");

    public static ValidationProblem Invalid(string field, string message, string? detail = null) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [message] }, detail: detail ?? message, title: "The request is invalid.");

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors, detail: "See errors for the fields to correct: " + string.Join(", ", errors.Keys) + ".", title: "The request is invalid.");

    public static ProblemHttpResult Conflict(string title, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    /// <summary>The PG refused: a 400, 409 or 422 and its code travel on, so the caller can tell why; any
    /// other refusal (a 401 for a wrong secret key, a 404 for a payment the PG lost) is payment's
    /// problem with the PG, not the caller's: 502.</summary>
    public static ProblemHttpResult PgRefused(PgRefusal refusal) => TypedResults.Problem(
        statusCode: refusal.Status is 400 or 409 or 422 ? refusal.Status : StatusCodes.Status502BadGateway,
        title: "The payment provider refused", detail: refusal.Message,
        extensions: new Dictionary<string, object?> { ["pgCode"] = refusal.Code });

    /// <summary>The PG failed (5xx → 502) or did not answer (→ 503 with Retry-After): try again shortly.</summary>
    public static ProblemHttpResult PgUnavailable(HttpContext http, PgOutage outage)
    {
        var status = outage.Kind == PgOutageKind.ServerError ? StatusCodes.Status502BadGateway : StatusCodes.Status503ServiceUnavailable;
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "2";
        return TypedResults.Problem(statusCode: status, title: "The payment provider is unavailable",
            detail: outage.Kind == PgOutageKind.TimedOut
                ? "The payment provider did not answer in time; if it took the money it will be recorded. Try again shortly."
                : "The payment provider failed to answer; nothing was recorded here. Try again shortly.");
    }

    /// <summary>The PG is still working on an earlier request for this payment.</summary>
    public static ProblemHttpResult PgStillProcessing(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "2";
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The payment is still being confirmed",
            detail: "The payment provider is still confirming this payment; try again shortly.");
    }
}
