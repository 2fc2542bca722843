using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Users;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Addresses;

public static class AddAddress
{
    public static RouteHandlerBuilder MapAddAddress(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/users/me/addresses", HandleAsync)
            .RequireAuthorization()
            .WithName(nameof(AddAddress))
            .WithSummary("Add an address")
            .WithDescription("The first address becomes the default; isDefault: true moves the default to the new one. At most 20 addresses per user (409 beyond).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    public static async Task<Results<Created<Address>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        AddressRequest request, ClaimsPrincipal principal, NpgsqlDataSource database, IdentitySettings settings, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = ValidAddress.Check(request, out var address);
        if (!errors.IsEmpty) return errors.ToProblem();

        var userId = principal.UserId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await AddressBook.LockOwnerAsync(transaction, userId, cancellationToken)) return GetMe.AccountGone();
        var count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM addresses WHERE user_id = @userId", new { userId }, transaction, cancellationToken: cancellationToken));
        if (count >= settings.MaxAddressesPerUser)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many addresses",
                detail: $"You have {count} addresses, the most allowed; delete one first.");

        var isDefault = count == 0 || request.IsDefault == true;
        if (isDefault) await AddressBook.ClearDefaultAsync(transaction, userId, cancellationToken);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var added = await connection.QuerySingleAsync<Address>(new CommandDefinition($"""
            INSERT INTO addresses (id, user_id, recipient, phone, line1, line2, city, postal_code, country, is_default, created_at, updated_at)
            VALUES (@id, @userId, @Recipient, @Phone, @Line1, @Line2, @City, @PostalCode, @Country, @isDefault, @now, @now)
            RETURNING {Address.Columns}
            """, new { id, userId, address.Recipient, address.Phone, address.Line1, address.Line2, address.City, address.PostalCode, address.Country, isDefault, now },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"addresses/{id}", added);
    }
}
