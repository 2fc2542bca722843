using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stampede.Testing;

/// <summary>Makes access tokens that identity did not issue (a stranger's key, an expired one,
/// <c>alg: none</c>) to prove the edge and the services refuse them.</summary>
public static class TokenForge
{
    public const string Issuer = "stampede-identity";
    public const string Audience = "stampede";

    /// <summary>A well-formed RS256 token signed with a key nobody trusts.</summary>
    public static string SignedByStranger(Guid userId, params string[] roles)
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = "stranger" };
        return Create(new SigningCredentials(key, SecurityAlgorithms.RsaSha256), userId, roles, DateTime.UtcNow.AddMinutes(10));
    }

    /// <summary>A token signed with <paramref name="credentials"/> (e.g. identity's real key) that
    /// expired <paramref name="ago"/> ago.</summary>
    public static string Expired(SigningCredentials credentials, Guid userId, TimeSpan ago, params string[] roles) =>
        Create(credentials, userId, roles, DateTime.UtcNow - ago);

    /// <summary>An unsigned token (<c>alg: none</c>) claiming to be an admin.</summary>
    public static string Unsigned(Guid userId)
    {
        static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return Segment("""{"alg":"none","typ":"JWT"}""") + "." +
               Segment($$"""{"sub":"{{userId}}","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}},"role":["customer","admin"]}""") + ".";
    }

    public static string Create(SigningCredentials credentials, Guid userId, IEnumerable<string> roles, DateTime expires)
    {
        var claims = new List<Claim> { new("sub", userId.ToString()) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        // Issued no later than now (a token "from the future" is refused) and before it expires.
        var issuedAt = expires.AddMinutes(-15) < DateTime.UtcNow ? expires.AddMinutes(-15) : DateTime.UtcNow.AddSeconds(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            SigningCredentials = credentials,
        });
    }
}
