using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Http;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Users;

public sealed record ResendVerificationCodeRequest(string? Email);

public static class ResendVerificationCode
{
    public static RouteHandlerBuilder MapResendVerificationCode(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/users/verification/resend", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(ResendVerificationCode))
            .WithSummary("Send a new verification code")
            .WithDescription("Answers 202 whether or not the email has an account (nothing is sent when it has none or is verified). One request per address per minute; more get 429 with Retry-After.");

    public static async Task<Results<Accepted, ValidationProblem, RetryLater>> HandleAsync(
        ResendVerificationCodeRequest request, NpgsqlDataSource database, VerificationCodes codes, CancellationToken cancellationToken)
    {
        if (EmailAddress.Check(request.Email, out var email) is { } invalid) return FieldErrors.Single("email", invalid);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await codes.ClaimResendAsync(transaction, email, cancellationToken) is { } wait)
            return new RetryLater(wait, "A code was sent to this address moments ago; wait before asking for another.");

        var user = await UserAccount.FindByEmailAsync(connection, email, transaction, cancellationToken);
        if (user is { EmailVerified: false }) await codes.IssueAsync(transaction, user.Id, email, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null);
    }
}
