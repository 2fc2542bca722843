using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class DeleteAddress
{
    public static RouteHandlerBuilder MapDeleteAddress(this IEndpointRouteBuilder routes) =>
        routes.MapDelete("/users/me/addresses/{id:guid}", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(DeleteAddress))
            .WithSummary("Delete an address")
            .WithDescription("Deleting the default makes the oldest remaining address the default.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid id, ClaimsPrincipal principal, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AddressBook.LockOwnerAsync(transaction, userId, cancellationToken);
        var wasDefault = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
            "DELETE FROM addresses WHERE id = @id AND user_id = @userId RETURNING is_default",
            new { id, userId }, transaction, cancellationToken: cancellationToken));
        if (wasDefault is null) return AddressBook.NotFound();
        if (wasDefault == true)
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE addresses SET is_default = true
                WHERE id = (SELECT id FROM addresses WHERE user_id = @userId ORDER BY created_at, id LIMIT 1)
                """, new { userId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
