using Dapper;
using Npgsql;
using Stampede.Identity.Users;
using Stampede.Identity.Validation;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Admin;

/// <summary>Ensures the operator account from <c>Identity:Admin</c> exists, verified, with the
/// customer and admin roles. An existing account keeps its password (change it through the account,
/// not the configuration). Safe when several instances start together: the email's unique index
/// turns the second insert into an update.</summary>
internal sealed class AdminAccountSeeder(
    NpgsqlDataSource database, IdentitySettings settings, Passwords passwords, TimeProvider time, ILogger<AdminAccountSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = settings.Admin;
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password)) return;
        var problems = new[]
        {
            EmailAddress.Check(admin.Email, out var email),
            PasswordPolicy.Check(admin.Password, email),
            TextRules.Required(admin.Name, "name", UserAccount.MaxNameLength, out var name),
        }.OfType<string>().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException("Identity:Admin is not a usable account: " + string.Join(" ", problems));

        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (id, email, name, password_hash, roles, email_verified_at, created_at, updated_at)
            VALUES (@id, @email, @name, @passwordHash, @roles, @now, @now, @now)
            ON CONFLICT (email) DO UPDATE SET
                roles = ARRAY(SELECT DISTINCT unnest(users.roles || EXCLUDED.roles) ORDER BY 1),
                email_verified_at = COALESCE(users.email_verified_at, EXCLUDED.email_verified_at),
                updated_at = EXCLUDED.updated_at
            """, new { id = Guid.CreateVersion7(now), email, name, passwordHash = passwords.Hash(admin.Password), roles = new[] { Roles.Admin, Roles.Customer }, now },
            cancellationToken: cancellationToken));
        logger.LogInformation("Admin account {Email} is ready", email);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
