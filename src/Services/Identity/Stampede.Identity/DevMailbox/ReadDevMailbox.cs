using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Users;
using Stampede.Identity.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.DevMailbox;

/// <summary>A verification code as the development mailbox shows it.</summary>
public sealed record DevMail(string Email, string Code, DateTimeOffset ExpiresAt, DateTimeOffset SentAt);

/// <summary>Until the notification service delivers mail, development shows sent codes here.
/// Only mapped when <c>Identity:DevMailbox</c> is on (404 otherwise), and only for admins.</summary>
public static class ReadDevMailbox
{
    public static RouteHandlerBuilder MapReadDevMailbox(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/dev/mailbox", HandleAsync)
            .RequireAuthorization(Policies.Admin)
            .WithName(nameof(ReadDevMailbox))
            .WithTags("Development")
            .WithSummary("Verification codes sent in development, newest first (admin only)")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    public static async Task<Results<Ok<IReadOnlyList<DevMail>>, ValidationProblem>> HandleAsync(
        string? email, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        string? normalized = null;
        if (email is not null && EmailAddress.Check(email, out normalized) is { } invalid) return FieldErrors.Single("email", invalid);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var mails = await connection.QueryAsync<DevMail>(new CommandDefinition("""
            SELECT email, code, expires_at, created_at AS sent_at FROM dev_mailbox
            WHERE @email::text IS NULL OR email = @email
            ORDER BY id DESC LIMIT 50
            """, new { email = normalized }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<DevMail>>([.. mails]);
    }
}
