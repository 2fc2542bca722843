using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Users;

namespace Stampede.Identity.Admin;

public static class GetUser
{
    public static RouteHandlerBuilder MapGetUser(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/users/{id:guid}", HandleAsync)
            .WithName(nameof(GetUser))
            .WithSummary("One user by id")
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> HandleAsync(Guid id, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var user = await UserAccount.FindByIdAsync(connection, id, null, cancellationToken);
        return user is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found", detail: "No user has this id.")
            : TypedResults.Ok(user.ToProfile());
    }
}
