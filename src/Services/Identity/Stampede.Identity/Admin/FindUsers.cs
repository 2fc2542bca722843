using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Users;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Admin;

public static class FindUsers
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteHandlerBuilder MapFindUsers(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/users", HandleAsync)
            .WithName(nameof(FindUsers))
            .WithSummary("Find users by (part of) their email")
            .WithDescription("Newest first. email: a case-insensitive fragment of the address; limit: 1-200, default 50.");

    public static async Task<Results<Ok<IReadOnlyList<UserProfile>>, ValidationProblem>> HandleAsync(
        string? email, int? limit, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Add("email", TextRules.Optional(email, "email", EmailAddress.MaxLength, out var fragment))
            .Add("limit", limit is < 1 or > MaxLimit ? $"The limit must be between 1 and {MaxLimit}." : null);
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // strpos, not LIKE: the fragment is matched literally, % and _ included.
        var users = await connection.QueryAsync<UserAccount>(new CommandDefinition("""
            SELECT id, email, name, password_hash, roles, email_verified_at, created_at FROM users
            WHERE @fragment::text IS NULL OR strpos(email, @fragment) > 0
            ORDER BY created_at DESC, id DESC LIMIT @limit
            """, new { fragment = fragment?.ToLowerInvariant(), limit = limit ?? DefaultLimit }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<UserProfile>>([.. users.Select(u => u.ToProfile())]);
    }
}
