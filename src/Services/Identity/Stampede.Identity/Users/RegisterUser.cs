using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Contracts.Identity;
using Stampede.Identity.Http;
using Stampede.Identity.Validation;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Users;

public sealed record RegisterUserRequest(string? Email, string? Password, string? Name);

public sealed record RegisteredUser(Guid Id, string Email, string Name);

public static class RegisterUser
{
    public static RouteHandlerBuilder MapRegisterUser(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/users", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(RegisterUser))
            .WithSummary("Create a customer account")
            .WithDescription("Registers a customer and emails a 6-digit verification code. The email is trimmed and lower-cased. "
                + "At most 10 sign-up attempts per IP address (IPv6: per /64) per hour, then 429 with Retry-After; 503 with Retry-After while too many sign-ups are being processed.")
            .ProducesProblem(StatusCodes.Status409Conflict);

    public static async Task<Results<Created<RegisteredUser>, ValidationProblem, ProblemHttpResult, RetryLater, Overloaded>> HandleAsync(
        RegisterUserRequest request, HttpContext http, NpgsqlDataSource database, SignUpThrottle throttle, HashingGate hashing,
        VerificationCodes codes, IOutbox outbox, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Add("email", EmailAddress.Check(request.Email, out var email))
            .Add("name", TextRules.Required(request.Name, "name", UserAccount.MaxNameLength, out var name));
        errors.Add("password", PasswordPolicy.Check(request.Password, email));
        if (!errors.IsEmpty) return errors.ToProblem();

        if (await throttle.TryAttemptAsync(ClientAddress.NetworkOf(http), cancellationToken) is { } wait)
            return new RetryLater(wait, "Too many sign-ups from this address; try again later.");

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A taken email answers before the expensive hash. The 409 already tells which emails have
        // accounts (and the per-IP throttle above bounds how fast anyone can ask), so answering sooner adds no oracle.
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM users WHERE email = @email)", new { email }, cancellationToken: cancellationToken)))
            return EmailTaken();

        if (await hashing.TryHashAsync(request.Password!, cancellationToken) is not { } passwordHash)
            return new Overloaded(TimeSpan.FromSeconds(1), "Too many sign-ups are being processed right now; try again in a moment.");

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The unique index decides between concurrent registrations of one email: the loser inserts nothing.
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)
            VALUES (@id, @email, @name, @passwordHash, @roles, @now, @now)
            ON CONFLICT (email) DO NOTHING
            """, new { id, email, name, passwordHash, roles = new[] { Roles.Customer }, now }, transaction, cancellationToken: cancellationToken));
        if (inserted == 0) return EmailTaken();

        await outbox.EnqueueAsync(new UserRegistered(id, email, name) { OccurredAt = now }, transaction, cancellationToken);
        await codes.IssueAsync(transaction, id, email, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Relative, so it resolves under the gateway's /api/identity/ prefix as well as here.
        return TypedResults.Created("users/me", new RegisteredUser(id, email, name));
    }

    private static ProblemHttpResult EmailTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered",
            detail: "An account with this email already exists; log in or reset the password instead.");
}
