using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Stampede.Identity.Keys;
using Stampede.Identity.Users;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Identity.Tokens;

/// <summary>What a successful login or refresh returns.</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType);

/// <summary>Issues the pair: an RS256 access token signed with the key ring's active key, and a
/// random 256-bit refresh token of which only the SHA-256 hash is stored, in a family.</summary>
public sealed class TokenIssuer(SigningKeyRing keys, JwtSettings jwt, IdentitySettings settings, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Starts a family (one per login) for the tokens that will rotate out of this one.</summary>
    public async Task<Guid> StartFamilyAsync(NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken)
    {
        var familyId = Guid.CreateVersion7();
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO refresh_token_families (id, user_id, created_at) VALUES (@familyId, @userId, @now)",
            new { familyId, userId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        return familyId;
    }

    public async Task<TokenPair> IssueAsync(NpgsqlTransaction transaction, UserAccount user, Guid familyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var refreshToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES (@tokenHash, @familyId, @now, @expiresAt)
            """, new { tokenHash = HashRefreshToken(refreshToken), familyId, now, expiresAt = now + settings.RefreshTokenLifetime },
            transaction, cancellationToken: cancellationToken));
        var accessToken = await CreateAccessTokenAsync(user, now, cancellationToken);
        return new TokenPair(accessToken, refreshToken, (int)settings.AccessTokenLifetime.TotalSeconds, "Bearer");
    }

    /// <summary>The refresh token as stored: its SHA-256 (the token is 256 random bits, so no salt is needed).</summary>
    public static byte[] HashRefreshToken(string refreshToken) => SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken));

    private async Task<string> CreateAccessTokenAsync(UserAccount user, DateTimeOffset now, CancellationToken cancellationToken) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + settings.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = await keys.GetSigningCredentialsAsync(cancellationToken),
            Claims = new Dictionary<string, object>
            {
                [StampedeClaims.UserId] = user.Id.ToString(),
                [StampedeClaims.Email] = user.Email,
                [StampedeClaims.Name] = user.Name,
                [StampedeClaims.Role] = user.Roles,
                // Unverified users may log in; services that need a proven address check this claim.
                [StampedeClaims.EmailVerified] = user.EmailVerified,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
        });
}
