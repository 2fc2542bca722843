using Dapper;
using Npgsql;

namespace Stampede.Identity.Users;

/// <summary>A row of <c>users</c>: who someone is and how they prove it.</summary>
public sealed record UserAccount(
    Guid Id, string Email, string Name, string PasswordHash, string[] Roles, DateTimeOffset? EmailVerifiedAt, DateTimeOffset CreatedAt)
{
    public const int MaxNameLength = 100;

    private const string Select = "SELECT id, email, name, password_hash, roles, email_verified_at, created_at FROM users";

    public bool EmailVerified => EmailVerifiedAt is not null;

    public UserProfile ToProfile() => new(Id, Email, Name, EmailVerified, Roles, CreatedAt);

    public static Task<UserAccount?> FindByEmailAsync(NpgsqlConnection connection, string email, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            Select + " WHERE email = @email", new { email }, transaction, cancellationToken: cancellationToken));

    public static Task<UserAccount?> FindByIdAsync(NpgsqlConnection connection, Guid id, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            Select + " WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken));
}

/// <summary>A user as the API shows them (never the password hash).</summary>
public sealed record UserProfile(Guid Id, string Email, string Name, bool EmailVerified, string[] Roles, DateTimeOffset CreatedAt);
