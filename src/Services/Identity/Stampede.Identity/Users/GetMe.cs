using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Users;

public static class GetMe
{
    public static RouteHandlerBuilder MapGetMe(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/users/me", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(GetMe))
            .WithSummary("The signed-in user's profile")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> HandleAsync(
        ClaimsPrincipal principal, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var user = await UserAccount.FindByIdAsync(connection, principal.UserId(), null, cancellationToken);
        return user is null ? AccountGone() : TypedResults.Ok(user.ToProfile());
    }

    /// <summary>A valid token for an account that no longer exists.</summary>
    public static ProblemHttpResult AccountGone() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found",
            detail: "The account this token was issued for no longer exists.");
}
