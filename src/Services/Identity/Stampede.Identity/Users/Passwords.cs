using Microsoft.AspNetCore.Identity;

namespace Stampede.Identity.Users;

/// <summary>Password hashing with ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512,
/// 100,000 iterations, random salt, versioned format, so stronger settings can roll in later).</summary>
public sealed class Passwords
{
    // The hasher takes a user object for custom subclasses; the default ignores it.
    private static readonly object Owner = new();
    private readonly PasswordHasher<object> hasher = new();
    private readonly Lazy<string> decoyHash;

    public Passwords() => decoyHash = new(() => Hash(Guid.NewGuid().ToString()));

    public string Hash(string password) => hasher.HashPassword(Owner, password);

    public PasswordCheck Verify(string? storedHash, string password)
    {
        // An unknown account still costs one full hash, so timing does not tell which emails exist.
        if (storedHash is null)
        {
            hasher.VerifyHashedPassword(Owner, decoyHash.Value, password);
            return PasswordCheck.Wrong;
        }
        return hasher.VerifyHashedPassword(Owner, storedHash, password) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Right,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.RightButRehash,
            _ => PasswordCheck.Wrong,
        };
    }
}

public enum PasswordCheck { Wrong, Right, RightButRehash }
