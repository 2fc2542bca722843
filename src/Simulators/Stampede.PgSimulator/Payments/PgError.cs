using Microsoft.AspNetCore.Http.HttpResults;

namespace Stampede.PgSimulator.Payments;

/// <summary>The error codes the simulator answers, Toss-style, in the <c>code</c> member of the problem.</summary>
public static class PgErrorCodes
{
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string UnauthorizedKey = "UNAUTHORIZED_KEY";
    public const string NotFoundPayment = "NOT_FOUND_PAYMENT";
    public const string DuplicatedOrderId = "DUPLICATED_ORDER_ID";
    public const string InvalidAmount = "INVALID_AMOUNT";
    public const string NotMatchesOrderId = "NOT_MATCHES_ORDER_ID";
    public const string AlreadyProcessedPayment = "ALREADY_PROCESSED_PAYMENT";
    public const string AlreadyCanceledPayment = "ALREADY_CANCELED_PAYMENT";
    public const string NotCancelableAmount = "NOT_CANCELABLE_AMOUNT";
    public const string NotCancelablePayment = "NOT_CANCELABLE_PAYMENT";
    public const string PaymentNotApproved = "PAYMENT_NOT_APPROVED";
    public const string PaymentAborted = "PAYMENT_ABORTED";
    public const string PaymentExpired = "PAYMENT_EXPIRED";
    public const string PaymentCanceled = "PAYMENT_CANCELED";
    public const string PayProcessCanceled = "PAY_PROCESS_CANCELED";
    public const string RejectCardPayment = "REJECT_CARD_PAYMENT";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string IdempotentRequestProcessing = "IDEMPOTENT_REQUEST_PROCESSING";
    public const string ProviderError = "PROVIDER_ERROR";
}

/// <summary>A refusal, answered as RFC 9457 problem details carrying Toss's <c>code</c> and
/// <c>message</c> as extensions (and <c>errors</c> keyed by field for a 400 about fields).</summary>
public sealed record PgError(int Status, string Code, string Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static PgError Field(int status, string code, string field, string message) =>
        new(status, code, message, new Dictionary<string, string[]> { [field] = [message] });

    public static PgError Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(400, PgErrorCodes.InvalidRequest, "See errors for the fields to correct: " + string.Join(", ", errors.Keys) + ".", errors);

    public static PgError NotFound(string what) => new(404, PgErrorCodes.NotFoundPayment, $"No payment {what}.");

    public Results<ProblemHttpResult, ValidationProblem> ToResult() => Answer<Results<ProblemHttpResult, ValidationProblem>>(p => p, v => v);

    public Results<Ok<T>, ProblemHttpResult, ValidationProblem> ToResult<T>() => Answer<Results<Ok<T>, ProblemHttpResult, ValidationProblem>>(p => p, v => v);

    /// <summary>The refusal as whichever result type an endpoint declares.</summary>
    public TResult Answer<TResult>(Func<ProblemHttpResult, TResult> problem, Func<ValidationProblem, TResult> validation) =>
        IsAboutFields ? validation(ToValidationProblem()) : problem(ToProblem());

    private bool IsAboutFields => Errors is not null && Status == StatusCodes.Status400BadRequest;

    private ValidationProblem ToValidationProblem() =>
        TypedResults.ValidationProblem(Errors!, detail: Message, title: Title, extensions: Extensions());

    private ProblemHttpResult ToProblem()
    {
        var extensions = Extensions();
        if (Errors is not null) extensions["errors"] = Errors;
        return TypedResults.Problem(detail: Message, statusCode: Status, title: Title, extensions: extensions);
    }

    private Dictionary<string, object?> Extensions() => new() { ["code"] = Code, ["message"] = Message };

    private string Title => Status switch
    {
        400 => "The request is invalid.",
        401 => "Unauthorized",
        404 => "Not found",
        409 => "Conflict with the payment's state",
        422 => "Idempotency key reused",
        _ => "Payment provider error",
    };
}

/// <summary>What an operation gives back: a value or a refusal.</summary>
public readonly record struct Outcome<T>(T? Value, PgError? Error)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(PgError error) => new(default, error);

    public bool Succeeded => Error is null;

    public Results<Ok<T>, ProblemHttpResult, ValidationProblem> ToResult() =>
        Error is null ? TypedResults.Ok(Value!) : Error.ToResult<T>();
}
