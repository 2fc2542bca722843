using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Identity;

namespace Stampede.Identity.Users;

/// <summary>Password hashing with ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512,
/// 100,000 iterations, random salt, versioned format, so stronger settings can roll in later).</summary>
public sealed class Passwords
{
    /// <summary>Identity's Meter: counts PBKDF2 runs, the CPU cost anonymous callers can cause.</summary>
    public const string MeterName = "Stampede.Identity";

    // The hasher takes a user object for custom subclasses; the default ignores it.
    private static readonly object Owner = new();
    private readonly PasswordHasher<object> hasher = new();
    private readonly Lazy<string> decoyHash;
    private readonly Counter<long> hashes;
    private readonly UpDownCounter<long> hashing;

    public Passwords(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        hashes = meter.CreateCounter<long>("stampede.identity.password.hashes", description: "New password hashes computed");
        hashing = meter.CreateUpDownCounter<long>("stampede.identity.password.hashing", description: "New password hashes being computed now");
        decoyHash = new(() => hasher.HashPassword(Owner, Guid.NewGuid().ToString()));
    }

    public string Hash(string password)
    {
        hashing.Add(1);
        try
        {
            return hasher.HashPassword(Owner, password);
        }
        finally
        {
            hashing.Add(-1);
            hashes.Add(1);
        }
    }

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
