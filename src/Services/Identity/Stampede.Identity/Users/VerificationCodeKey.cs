using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Stampede.Identity.Users;

/// <summary>The server secret verification codes are hashed with. With a public key (the user id, as
/// before) a stored hash of a 6-digit code falls to a million HMACs; with this one it cannot be
/// reversed without the secret. Configured as <c>Identity:VerificationCodeKey</c> (base64, at least
/// 32 bytes); in Development and tests, when unset, generated once and kept in the database.</summary>
public sealed class VerificationCodeKey(NpgsqlDataSource database, IdentitySettings settings, TimeProvider time)
{
    public const int MinimumBytes = 32;

    private byte[]? key = settings.VerificationCodeKey is { } configured ? Decode(configured) : null;

    /// <summary>HMAC-SHA256 of the user id and the code under the secret: a code is only valid for its user.</summary>
    public async Task<byte[]> HashAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        var secret = key ??= await GeneratedAsync(cancellationToken);
        byte[] message = [.. userId.ToByteArray(), .. Encoding.ASCII.GetBytes(code)];
        return HMACSHA256.HashData(secret, message);
    }

    /// <summary>The configured value's bytes; throws when it is not base64 of at least <see cref="MinimumBytes"/> bytes.</summary>
    public static byte[] Decode(string configured)
    {
        var bytes = new byte[configured.Length];
        if (!Convert.TryFromBase64String(configured.Trim(), bytes, out var length) || length < MinimumBytes)
            throw new InvalidOperationException($"Identity:VerificationCodeKey must be base64 of at least {MinimumBytes} random bytes (e.g. `openssl rand -base64 32`).");
        return bytes[..length];
    }

    private async Task<byte[]> GeneratedAsync(CancellationToken cancellationToken)
    {
        // Insert-if-absent then read: instances starting together all end up with the first one's secret.
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<byte[]>(new CommandDefinition("""
            INSERT INTO dev_secrets (name, value, created_at) VALUES ('verification-code-key', @value, @now) ON CONFLICT (name) DO NOTHING;
            SELECT value FROM dev_secrets WHERE name = 'verification-code-key';
            """, new { value = RandomNumberGenerator.GetBytes(MinimumBytes), now = time.GetUtcNow() }, cancellationToken: cancellationToken));
    }
}
