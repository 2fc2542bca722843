using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Http;
using Stampede.Identity.Users;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Tokens;

public sealed record LoginRequest(string? Email, string? Password);

/// <summary>Login: email and password for an access token and a refresh token.</summary>
public static class IssueTokens
{
    public static RouteHandlerBuilder MapIssueTokens(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/tokens", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(IssueTokens))
            .WithSummary("Log in")
            .WithDescription("Returns a short-lived access token and a refresh token. Users whose email is not verified yet may log in; their token carries email_verified=false. After 5 failures for one account, or 20 from one IP, within 15 minutes: 429 with Retry-After.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    public static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult, RetryLater>> HandleAsync(
        LoginRequest request, HttpContext http, NpgsqlDataSource database, Passwords passwords, LoginThrottle throttle,
        TokenIssuer tokens, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Add("email", EmailAddress.Check(request.Email, out var email));
        errors.Add("password", string.IsNullOrEmpty(request.Password) ? "The password is required."
            : request.Password.Length > PasswordPolicy.MaxLength ? $"The password must be at most {PasswordPolicy.MaxLength} characters." : null);
        if (!errors.IsEmpty) return errors.ToProblem();

        var ip = ClientAddress.Of(http);
        // The try is recorded as a failure before the password is checked, so parallel guesses count at once.
        var attempt = await throttle.TryAttemptAsync(email, ip, cancellationToken);
        if (attempt.Block is { } block) return new RetryLater(block.RetryAfter, block.Detail);

        UserAccount? user;
        await using (var lookup = await database.OpenConnectionAsync(cancellationToken))
            user = await UserAccount.FindByEmailAsync(lookup, email, null, cancellationToken);
        var check = passwords.Verify(user?.PasswordHash, request.Password!);
        if (user is null || check == PasswordCheck.Wrong)
        {
            // One answer for an unknown email and a wrong password.
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "The email or password is wrong.");
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (check == PasswordCheck.RightButRehash)
            await connection.ExecuteAsync(new CommandDefinition("UPDATE users SET password_hash = @hash WHERE id = @id",
                new { hash = passwords.Hash(request.Password!), id = user.Id }, transaction, cancellationToken: cancellationToken));
        await throttle.ClearAccountAsync(transaction, email, attempt.IpAttemptId, cancellationToken);
        var familyId = await tokens.StartFamilyAsync(transaction, user.Id, cancellationToken);
        var pair = await tokens.IssueAsync(transaction, user, familyId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(pair);
    }
}
