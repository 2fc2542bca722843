using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Identity.Addresses;

/// <summary>Queries every address feature shares. All reads and writes are scoped to the owner, so
/// another user's address is simply not found.</summary>
public static class AddressBook
{
    /// <summary>Locks the owner's user row for the transaction: changes to one user's addresses run
    /// one at a time, which keeps "exactly one default" and the address limit true under concurrency.</summary>
    public static async Task<bool> LockOwnerAsync(NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM users WHERE id = @userId FOR UPDATE", new { userId }, transaction, cancellationToken: cancellationToken)) is not null;

    public static Task<Address?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid userId, Guid id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Address>(new CommandDefinition(
            $"SELECT {Address.Columns} FROM addresses WHERE id = @id AND user_id = @userId",
            new { id, userId }, transaction, cancellationToken: cancellationToken));

    public static Task ClearDefaultAsync(NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE addresses SET is_default = false WHERE user_id = @userId AND is_default",
            new { userId }, transaction, cancellationToken: cancellationToken));

    public static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Address not found",
            detail: "You have no address with this id.");
}
