using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Contracts.Identity;
using Stampede.Identity.Validation;
using Stampede.Messaging;

namespace Stampede.Identity.Users;

public sealed record VerifyEmailRequest(string? Email, string? Code);

public static class VerifyEmail
{
    private const string WrongCode = "The code is wrong.";

    public static RouteHandlerBuilder MapVerifyEmail(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/users/verification", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(VerifyEmail))
            .WithSummary("Verify an email address with the 6-digit code")
            .WithDescription("A code is valid for 10 minutes and allows 5 wrong tries; after that, request a new one.");

    public static async Task<Results<NoContent, ValidationProblem>> HandleAsync(
        VerifyEmailRequest request, NpgsqlDataSource database, IOutbox outbox, VerificationCodeKey key, IdentitySettings settings, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Add("email", EmailAddress.Check(request.Email, out var email));
        var code = request.Code?.Trim() ?? "";
        errors.Add("code", code.Length == 0 ? "The code is required."
            : code.Length != 6 || !code.All(char.IsAsciiDigit) ? "The code must be 6 digits." : null);
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var user = await UserAccount.FindByEmailAsync(connection, email, transaction, cancellationToken);
        if (user is null) return FieldErrors.Single("code", WrongCode);
        if (user.EmailVerified) return TypedResults.NoContent();

        // The row lock serialises concurrent tries, so the 5-try limit holds against parallel guessing.
        var issued = await connection.QuerySingleOrDefaultAsync<IssuedCode>(new CommandDefinition("""
            SELECT code_hash, expires_at, failed_attempts FROM verification_codes WHERE user_id = @id FOR UPDATE
            """, new { id = user.Id }, transaction, cancellationToken: cancellationToken));
        var now = time.GetUtcNow();
        if (issued is null) return FieldErrors.Single("code", WrongCode);
        if (issued.FailedAttempts >= settings.VerificationCodeMaxAttempts)
            return FieldErrors.Single("code", "Too many wrong codes; request a new code.");
        if (issued.ExpiresAt <= now) return FieldErrors.Single("code", "The code has expired; request a new code.");

        var codeHash = await key.HashAsync(user.Id, code, cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(issued.CodeHash, codeHash))
        {
            var attempts = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
                UPDATE verification_codes SET failed_attempts = failed_attempts + 1 WHERE user_id = @id RETURNING failed_attempts
                """, new { id = user.Id }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            var left = settings.VerificationCodeMaxAttempts - attempts;
            return FieldErrors.Single("code", left > 0
                ? $"{WrongCode} {left} {(left == 1 ? "try" : "tries")} left."
                : $"{WrongCode} No tries left; request a new code.");
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET email_verified_at = @now, updated_at = @now WHERE id = @id;
            DELETE FROM verification_codes WHERE user_id = @id;
            """, new { id = user.Id, now }, transaction, cancellationToken: cancellationToken));
        await outbox.EnqueueAsync(new UserEmailVerified(user.Id, user.Email) { OccurredAt = now }, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private sealed record IssuedCode(byte[] CodeHash, DateTimeOffset ExpiresAt, int FailedAttempts);
}
