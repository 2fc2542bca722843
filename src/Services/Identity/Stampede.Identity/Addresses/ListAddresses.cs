using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class ListAddresses
{
    public static RouteHandlerBuilder MapListAddresses(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/users/me/addresses", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(ListAddresses))
            .WithSummary("The signed-in user's addresses, default first")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    public static async Task<Ok<IReadOnlyList<Address>>> HandleAsync(ClaimsPrincipal principal, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var addresses = await connection.QueryAsync<Address>(new CommandDefinition(
            $"SELECT {Address.Columns} FROM addresses WHERE user_id = @userId ORDER BY is_default DESC, created_at, id",
            new { userId = principal.UserId() }, cancellationToken: cancellationToken));
        return TypedResults.Ok<IReadOnlyList<Address>>([.. addresses]);
    }
}
