using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class MakeAddressDefault
{
    public static RouteHandlerBuilder MapMakeAddressDefault(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/users/me/addresses/{id:guid}/default", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(MakeAddressDefault))
            .WithSummary("Make an address the default")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<Address>, ProblemHttpResult>> HandleAsync(
        Guid id, ClaimsPrincipal principal, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AddressBook.LockOwnerAsync(transaction, userId, cancellationToken);
        if (await AddressBook.FindAsync(connection, transaction, userId, id, cancellationToken) is null) return AddressBook.NotFound();
        await AddressBook.ClearDefaultAsync(transaction, userId, cancellationToken);
        var address = await connection.QuerySingleAsync<Address>(new CommandDefinition(
            $"UPDATE addresses SET is_default = true, updated_at = @now WHERE id = @id AND user_id = @userId RETURNING {Address.Columns}",
            new { id, userId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(address);
    }
}
