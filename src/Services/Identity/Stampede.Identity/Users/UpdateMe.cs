using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Users;

public sealed record UpdateMeRequest(string? Name);

public static class UpdateMe
{
    public static RouteHandlerBuilder MapUpdateMe(this IEndpointRouteBuilder routes) =>
        routes.MapPatch("/users/me", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(UpdateMe))
            .WithSummary("Change the signed-in user's display name")
            .WithDescription("Tokens issued before the change still carry the old name until they are refreshed.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<UserProfile>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        UpdateMeRequest request, ClaimsPrincipal principal, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (TextRules.Required(request.Name, "name", UserAccount.MaxNameLength, out var name) is { } invalid)
            return FieldErrors.Single("name", invalid);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET name = @name, updated_at = @now WHERE id = @id",
            new { name, now = time.GetUtcNow(), id = principal.UserId() }, cancellationToken: cancellationToken));
        if (updated == 0) return GetMe.AccountGone();
        var user = await UserAccount.FindByIdAsync(connection, principal.UserId(), null, cancellationToken);
        return user is null ? GetMe.AccountGone() : TypedResults.Ok(user.ToProfile());
    }
}
