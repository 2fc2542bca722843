using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class UpdateAddress
{
    public static RouteHandlerBuilder MapUpdateAddress(this IEndpointRouteBuilder routes) =>
        routes.MapPut("/users/me/addresses/{id:guid}", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(UpdateAddress))
            .WithSummary("Replace an address")
            .WithDescription("All fields are replaced. isDefault: true makes it the default; false or absent leaves the default unchanged.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static async Task<Results<Ok<Address>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid id, AddressRequest request, ClaimsPrincipal principal, NpgsqlDataSource database, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = ValidAddress.Check(request, out var address);
        if (!errors.IsEmpty) return errors.ToProblem();

        var userId = principal.UserId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AddressBook.LockOwnerAsync(transaction, userId, cancellationToken);
        if (await AddressBook.FindAsync(connection, transaction, userId, id, cancellationToken) is null) return AddressBook.NotFound();
        if (request.IsDefault == true) await AddressBook.ClearDefaultAsync(transaction, userId, cancellationToken);
        var updated = await connection.QuerySingleAsync<Address>(new CommandDefinition($"""
            UPDATE addresses
            SET recipient = @Recipient, phone = @Phone, line1 = @Line1, line2 = @Line2, city = @City, postal_code = @PostalCode,
                country = @Country, is_default = is_default OR @makeDefault, updated_at = @now
            WHERE id = @id AND user_id = @userId
            RETURNING {Address.Columns}
            """, new { id, userId, address.Recipient, address.Phone, address.Line1, address.Line2, address.City, address.PostalCode,
                address.Country, makeDefault = request.IsDefault == true, now = time.GetUtcNow() },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(updated);
    }
}
