using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class GetAddress
{
    public static RouteHandlerBuilder MapGetAddress(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/users/me/addresses/{id:guid}", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(GetAddress))
            .WithSummary("One of the signed-in user's addresses")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<Address>, ProblemHttpResult>> HandleAsync(
        Guid id, ClaimsPrincipal principal, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var address = await AddressBook.FindAsync(connection, null, principal.UserId(), id, cancellationToken);
        return address is null ? AddressBook.NotFound() : TypedResults.Ok(address);
    }
}
